"""Plan, start and close whole-group sessions. Callers authorise (facilitators
manage sessions; every member reads them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.accounts.services import valid_name
from server.db import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.events import publish
from server.groups.models import Group
from server.history.models import CHECKPOINT_NAME_CHARS
from server.history.services import make_checkpoint
from server.meetings.changes import SessionChanged
from server.meetings.models import SESSION_TITLE_CHARS, ActionItem, Attendance, ItemNote, Meeting
from server.policies.models import Part, Policy, Section
from server.policies.services import policies_of
from server.review.models import Outcome, Vote, VoteSubject
from server.text.clean import clean_block, clean_line

MAX_NOTES_CHARS = 20_000


def get_meeting(db: Session, meeting_id: int) -> Meeting:
    row = db.get(Meeting, meeting_id)
    if row is None:
        raise NotFound("That session was not found.")
    return row


def meetings_of(db: Session, group_id: int) -> list[Meeting]:
    return list(
        db.scalars(
            select(Meeting)
            .where(Meeting.group_id == group_id)
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        )
    )


def running(db: Session, group_id: int) -> Meeting | None:
    return db.scalar(
        select(Meeting).where(
            Meeting.group_id == group_id,
            Meeting.started_at.is_not(None),
            Meeting.closed_at.is_(None),
        )
    )


def last_started(db: Session, group_id: int) -> Meeting | None:
    """The session members review changes since (running or closed)."""
    return db.scalar(
        select(Meeting)
        .where(Meeting.group_id == group_id, Meeting.started_at.is_not(None))
        .order_by(Meeting.started_at.desc(), Meeting.id.desc())
        .limit(1)
    )


def next_planned(db: Session, group_id: int) -> Meeting | None:
    return db.scalar(
        select(Meeting)
        .where(Meeting.group_id == group_id, Meeting.started_at.is_(None))
        .order_by(Meeting.starts_at, Meeting.id)
        .limit(1)
    )


def _fields(title: str, starts_at: datetime | None, place: str, notes: str) -> dict:
    if starts_at is None:
        raise InvalidInput("Say when the session is.", fields={"starts_at": ["Required."]})
    notes = clean_block(notes or "")
    if len(notes) > MAX_NOTES_CHARS:
        raise InvalidInput(
            f"Notes can be up to {MAX_NOTES_CHARS} characters.",
            fields={"notes": [f"Up to {MAX_NOTES_CHARS} characters."]},
        )
    place = clean_line(place or "")
    if len(place) > 500:
        raise InvalidInput(
            "The place or link can be up to 500 characters.",
            fields={"place": ["Up to 500 characters."]},
        )
    return {
        "title": valid_name(title, "title", SESSION_TITLE_CHARS),
        "starts_at": starts_at,
        "place": place,
        "notes": notes,
    }


def schedule(
    db: Session,
    group: Group,
    by: User,
    *,
    title: str,
    starts_at: datetime | None,
    place: str = "",
    notes: str = "",
) -> Meeting:
    row = Meeting(group_id=group.id, created_by_id=by.id, **_fields(title, starts_at, place, notes))
    db.add(row)
    db.flush()
    _announce(db, row, "planned")
    return row


def update_meeting(
    db: Session,
    meeting: Meeting,
    *,
    title: str | None = None,
    starts_at: datetime | None = None,
    place: str | None = None,
    notes: str | None = None,
) -> Meeting:
    values = _fields(
        title if title is not None else meeting.title,
        starts_at or meeting.starts_at,
        place if place is not None else meeting.place,
        notes if notes is not None else meeting.notes,
    )
    if meeting.closed_at is not None and (values["starts_at"] != meeting.starts_at):
        raise Conflict(
            "This session has closed; its time can no longer change.", code="session_closed"
        )
    for key, value in values.items():
        setattr(meeting, key, value)
    db.flush()
    _announce(db, meeting, "edited")
    return meeting


def start(db: Session, meeting: Meeting, by: User) -> Meeting:
    """Start the session: checkpoint every policy of the group, so the next review
    shows what changed from here."""
    if meeting.started_at is not None:
        raise Conflict("This session has started already.", code="session_started")
    other = running(db, meeting.group_id)
    if other is not None:
        raise Conflict(
            f"The session “{other.title}” is running. Close it before starting another.",
            code="session_running",
        )
    now = utcnow()
    claimed = db.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.started_at.is_(None))
        .values(started_at=now, started_by_id=by.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise Conflict("This session has started already.", code="session_started")
    meeting.started_at, meeting.started_by_id = now, by.id
    for policy in policies_of(db, meeting.group_id):
        make_checkpoint(
            db,
            policy,
            by,
            f"Start of session: {meeting.title}"[:CHECKPOINT_NAME_CHARS],
            session_id=meeting.id,
        )
    db.flush()
    _announce(db, meeting, "started")
    return meeting


def close(db: Session, meeting: Meeting, by: User) -> Meeting:
    """Close the session and write its minutes: the votes that closed while it ran
    (sections agreed among them) and its notes."""
    if meeting.started_at is None:
        raise Conflict(
            "This session has not started, so it cannot be closed.", code="session_not_started"
        )
    if meeting.closed_at is not None:
        raise Conflict("This session has closed already.", code="session_closed")
    now = utcnow()
    meeting.closed_at, meeting.closed_by_id = now, by.id
    meeting.minutes = minutes(db, meeting.group_id, meeting.started_at, now)
    db.flush()
    _announce(db, meeting, "closed")  # participation opens the "I statements" check
    return meeting


def cancel(db: Session, meeting: Meeting, by_user_id: int | None = None) -> None:
    """Cancel a planned session: it is removed, with its agenda, and members are told,
    but not `by_user_id`, who did it (a session that will not happen stayed "Next
    session" on everyone's review page).
    One that has started, or has anything recorded (attendance, notes, actions), is
    kept: its date can be changed instead."""
    if meeting.started_at is not None:
        raise Conflict(
            "This session has started, so it cannot be cancelled.", code="session_started"
        )
    for model in (Attendance, ItemNote, ActionItem):
        if db.scalar(select(model.id).where(model.meeting_id == meeting.id).limit(1)):
            raise Conflict(
                "Something is already recorded for this session (attendance, notes or "
                "actions), so it cannot be cancelled. Change its date instead.",
                code="session_has_record",
            )
    publish(
        db,
        SessionChanged(
            meeting.group_id,
            meeting.id,
            "cancelled",
            title=meeting.title,
            starts_at=meeting.starts_at.isoformat(),
            actor_id=by_user_id,
        ),
    )
    db.delete(meeting)
    db.flush()


def minutes(db: Session, group_id: int, since: datetime, until: datetime) -> dict:
    rows = db.execute(
        select(Vote, Section.title, Part.title, Policy.title)
        .join(Section, Section.id == Vote.section_id)
        .join(Part, Part.id == Section.part_id)
        .join(Policy, Policy.id == Vote.policy_id)
        .where(
            Vote.group_id == group_id,
            Vote.closed_at.is_not(None),
            Vote.closed_at >= since,
            Vote.closed_at <= until,
        )
        .order_by(Vote.closed_at, Vote.id)
    )
    decisions, agreed = [], []
    for vote, section_title, part_title, policy_title in rows:
        entry = {
            "vote_id": vote.id,
            "subject": vote.subject.value,
            "proposal_id": vote.proposal_id,
            "section_id": vote.section_id,
            "section": section_title,
            "part": part_title,
            "policy": policy_title,
            "outcome": vote.outcome.value if vote.outcome else None,
            "tally": vote.tally,
            "closed_at": vote.closed_at.isoformat(),
        }
        decisions.append(entry)
        if vote.subject == VoteSubject.AGREEMENT and vote.outcome == Outcome.APPROVED:
            agreed.append(
                {"section_id": vote.section_id, "section": section_title, "policy": policy_title}
            )
    return {"decisions": decisions, "agreed_sections": agreed}


def _announce(db: Session, meeting: Meeting, action: str) -> None:
    publish(db, SessionChanged(meeting.group_id, meeting.id, action))
