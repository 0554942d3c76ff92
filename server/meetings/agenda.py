"""A session's agenda: built from what awaits a decision, then the facilitators'.

Open votes come in the order of the text (policy, part, section), so a session
walks through the policy once. Votes opened after the agenda was made are added
at the end when it is next looked at, until the session closes; facilitators
reorder, annotate, add their own items and remove any.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import InvalidInput, NotFound
from server.events import publish
from server.meetings.changes import SessionChanged
from server.meetings.models import AgendaItem, Meeting
from server.policies.models import Part, Policy, Section
from server.review.models import ProposalKind, Vote, VoteSubject
from server.text.clean import clean_block, clean_line

KIND_WORDS = {
    ProposalKind.REPLACE: "change a sentence",
    ProposalKind.INSERT: "add sentences",
    ProposalKind.DELETE: "remove sentences",
    ProposalKind.REWRITE: "rewrite the section",
}


def awaiting(db: Session, group_id: int) -> list[tuple[Vote, Section]]:
    """Open votes of the group in the order of the text."""
    return [
        (vote, section)
        for vote, section in db.execute(
            select(Vote, Section)
            .join(Section, Section.id == Vote.section_id)
            .join(Part, Part.id == Section.part_id)
            .join(Policy, Policy.id == Vote.policy_id)
            .where(Vote.group_id == group_id, Vote.closed_at.is_(None))
            .order_by(
                Policy.created_at,
                Policy.id,
                Part.position,
                Section.position,
                Vote.opened_at,
                Vote.id,
            )
        )
    ]


def title_for(db: Session, vote: Vote, section: Section) -> str:
    if vote.subject == VoteSubject.AGREEMENT:
        return f"Agree the section “{section.title}”"
    return f"Suggestion to {KIND_WORDS[ProposalKind(vote.proposal.kind)]} in “{section.title}”"


def items(meeting: Meeting) -> list[AgendaItem]:
    return sorted((i for i in meeting.agenda if not i.removed), key=lambda i: (i.position, i.id))


def build(db: Session, meeting: Meeting) -> list[AgendaItem]:
    """Add every open vote not on the agenda yet (all of them, the first time)."""
    if meeting.closed_at is not None:
        return items(meeting)
    have = {item.vote_id for item in meeting.agenda if item.vote_id}
    position = max((item.position for item in meeting.agenda), default=0)
    for vote, section in awaiting(db, meeting.group_id):
        if vote.id in have:
            continue
        position += 1
        meeting.agenda.append(
            AgendaItem(vote_id=vote.id, position=position, title=title_for(db, vote, section))
        )
    db.flush()
    return items(meeting)


def _changed(db: Session, meeting_id: int) -> None:
    """Tell connected members the agenda changed (delivered after commit)."""
    meeting = db.get(Meeting, meeting_id)
    publish(db, SessionChanged(meeting.group_id, meeting.id, "agenda"))


def get_item(db: Session, meeting: Meeting, item_id: int) -> AgendaItem:
    """An item on this session's agenda; one taken off it is not found."""
    row = db.get(AgendaItem, item_id)
    if row is None or row.meeting_id != meeting.id or row.removed:
        raise NotFound("That agenda item was not found.")
    return row


def _title(value: str) -> str:
    value = clean_line(value or "")
    if not value:
        raise InvalidInput("Give the item a title.", fields={"title": ["Required."]})
    if len(value) > 300:
        raise InvalidInput(
            "A title can be up to 300 characters.", fields={"title": ["Up to 300 characters."]}
        )
    return value


def add(db: Session, meeting: Meeting, title: str, note: str = "") -> AgendaItem:
    position = max((item.position for item in meeting.agenda), default=0) + 1
    item = AgendaItem(title=_title(title), note=clean_block(note or ""), position=position)
    meeting.agenda.append(item)
    db.flush()
    _changed(db, meeting.id)
    return item


def edit(
    db: Session, item: AgendaItem, *, title: str | None = None, note: str | None = None
) -> AgendaItem:
    if title is not None:
        item.title = _title(title)
    if note is not None:
        item.note = clean_block(note)
    db.flush()
    _changed(db, item.meeting_id)
    return item


def move(db: Session, meeting: Meeting, item: AgendaItem, to: int) -> list[AgendaItem]:
    """Put the item at place `to` (1 = first) and renumber the rest."""
    rest = [i for i in items(meeting) if i.id != item.id]
    if not 1 <= to <= len(rest) + 1:
        raise InvalidInput(
            f"Choose a place from 1 to {len(rest) + 1}.", fields={"position": ["Out of range."]}
        )
    rest.insert(to - 1, item)
    for n, row in enumerate(rest, start=1):
        row.position = n
    db.flush()
    _changed(db, meeting.id)
    return rest


def remove(db: Session, item: AgendaItem) -> None:
    item.removed = True
    db.flush()
    _changed(db, item.meeting_id)
