"""A session's agenda: the facilitators' own items, stored, and the votes awaiting a
decision, read as they are.

Only what people put on the agenda is stored (issue 11: copying every open vote into
every new session gave 300 rows per session, and the copy was made by GET handlers).
Open votes are composed when the agenda is read, in the order of the text (policy,
part, section), so a session walks through the policy once; they are read-only
entries addressed by their key ("vote:12"), in pages of VOTES_PER_PAGE. A read of the
agenda never writes.

A running session keeps the votes it decided on its agenda (and their notes); a closed
session's votes are its decisions (the minutes), not whatever is open now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from server.errors import InvalidInput, NotFound
from server.events import publish
from server.meetings.changes import SessionChanged
from server.meetings.models import AGENDA_TITLE_CHARS, AgendaItem, Meeting
from server.policies.models import Part, Policy, Section
from server.review.models import ProposalKind, Vote, VoteSubject
from server.review.proposals import title as proposal_title
from server.text.clean import clean_block, clean_line

KIND_WORDS = {
    ProposalKind.REPLACE: "change a sentence",
    ProposalKind.INSERT: "add sentences",
    ProposalKind.DELETE: "remove sentences",
    ProposalKind.REWRITE: "rewrite the section",
}

# A page of the agenda lists at most this many votes; the rest are on later pages.
VOTES_PER_PAGE = 100
# Facilitators add items one by one; past this many a session is not an agenda any
# more, and the page and the pack stay bounded.
MAX_OWN_ITEMS = 100


@dataclass(frozen=True)
class VoteEntry:
    """A vote on the agenda: read-only, addressed by its key."""

    vote: Vote
    section: Section | None
    title: str

    @property
    def key(self) -> str:
        return f"vote:{self.vote.id}"


@dataclass(frozen=True)
class VotePage:
    """One page of the votes on an agenda, and how many there are in all."""

    entries: list[VoteEntry]
    total: int
    page: int
    pages: int

    @property
    def first(self) -> int:
        return (self.page - 1) * VOTES_PER_PAGE + 1 if self.entries else 0

    @property
    def last(self) -> int:
        return self.first + len(self.entries) - 1 if self.entries else 0

    @property
    def message(self) -> str | None:
        """What a reader is told when the votes do not all fit on this page."""
        if self.pages <= 1:
            return None
        return (
            f"Showing votes {self.first} to {self.last} of {self.total}. "
            f"There are {self.pages} pages of votes."
        )


def _open_votes(group_id: int, since: datetime | None = None):
    """The group's open votes, and with `since` (a running session's start) those
    closed since then too: a vote decided in the session stays on its agenda, and its
    notes box on the record page (closing it used to take both away at once)."""
    still = Vote.closed_at.is_(None)
    if since is not None:
        still = or_(still, Vote.closed_at >= since)
    return (
        select(Vote, Section)
        .join(Section, Section.id == Vote.section_id)
        .join(Part, Part.id == Section.part_id)
        .join(Policy, Policy.id == Vote.policy_id)
        .where(Vote.group_id == group_id, still)
    )


def awaiting(
    db: Session,
    group_id: int,
    *,
    since: datetime | None = None,
    offset: int = 0,
    limit: int | None = None,
):
    """Open votes of the group (and those closed `since`) in the order of the text,
    as (vote, section)."""
    query = (
        _open_votes(group_id, since)
        .options(selectinload(Vote.proposal))
        .order_by(
            Policy.created_at,
            Policy.id,
            Part.position,
            Section.position,
            Vote.opened_at,
            Vote.id,
        )
        .offset(offset)
        .limit(limit)
    )
    return [(vote, section) for vote, section in db.execute(query)]


def title_for(db: Session, vote: Vote, section: Section | None) -> str:
    if section is None:
        return "A vote on a removed section"
    if vote.subject == VoteSubject.AGREEMENT:
        return f"Agree the section “{section.title}”"
    # A suggestion is named by its words everywhere (server/review/proposals.title).
    return f"Suggestion: {proposal_title(vote.proposal)} (in “{section.title}”)"


def _pages(total: int) -> int:
    return max(1, -(-total // VOTES_PER_PAGE))


def _decided(db: Session, meeting: Meeting) -> list[int]:
    return [d["vote_id"] for d in (meeting.minutes or {}).get("decisions", [])]


def votes(db: Session, meeting: Meeting, page: int = 1) -> VotePage:
    """One page of the votes on the agenda (page 1 is first; past the last gives the
    last). Open votes while the session is planned; while it runs, also those it has
    decided; once it closed, the votes it decided."""
    if meeting.closed_at is not None:
        ids = _decided(db, meeting)
        pages = _pages(len(ids))
        page = min(max(page, 1), pages)
        chosen = ids[(page - 1) * VOTES_PER_PAGE : page * VOTES_PER_PAGE]
        found = {
            v.id: v
            for v in db.scalars(
                select(Vote).where(Vote.id.in_(chosen)).options(selectinload(Vote.proposal))
            )
        }
        rows = [(found[i], db.get(Section, found[i].section_id)) for i in chosen if i in found]
        total = len(ids)
    else:
        since = meeting.started_at  # None while planned: the open votes only
        total = db.scalar(
            select(func.count()).select_from(_open_votes(meeting.group_id, since).subquery())
        )
        pages = _pages(total)
        page = min(max(page, 1), pages)
        rows = awaiting(
            db,
            meeting.group_id,
            since=since,
            offset=(page - 1) * VOTES_PER_PAGE,
            limit=VOTES_PER_PAGE,
        )
    entries = [VoteEntry(v, s, title_for(db, v, s)) for v, s in rows]
    return VotePage(entries, total, page, pages)


def vote_titles(db: Session, vote_ids: list[int]) -> dict[int, str]:
    """Titles of the given votes, for notes written on them."""
    if not vote_ids:
        return {}
    found = db.execute(
        select(Vote, Section)
        .outerjoin(Section, Section.id == Vote.section_id)
        .where(Vote.id.in_(vote_ids))
        .options(selectinload(Vote.proposal))
    )
    return {v.id: title_for(db, v, s) for v, s in found}


def items(meeting: Meeting) -> list[AgendaItem]:
    """The facilitators' own items, in their order."""
    return sorted((i for i in meeting.agenda if not i.removed), key=lambda i: (i.position, i.id))


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
    if len(value) > AGENDA_TITLE_CHARS:
        raise InvalidInput(
            f"A title can be up to {AGENDA_TITLE_CHARS} characters.",
            fields={"title": [f"Up to {AGENDA_TITLE_CHARS} characters."]},
        )
    return value


def add(db: Session, meeting: Meeting, title: str, note: str = "") -> AgendaItem:
    if len(items(meeting)) >= MAX_OWN_ITEMS:
        raise InvalidInput(
            f"An agenda can have up to {MAX_OWN_ITEMS} items of your own. "
            "Take one off before you add another.",
            fields={"title": [f"Up to {MAX_OWN_ITEMS} items."]},
        )
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
