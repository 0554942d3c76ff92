"""The "I statements" check (Trafford's guide to co-production): after a session
closes, its members say agree, partly or disagree to a few statements such as
"I was listened to".

Anonymous by construction: an answer adds one to a count and nothing else is
stored about it; who has answered is kept apart (so each member answers once),
with no time and no answer. Results are counts only, and none are shown for a
session until at least MIN_ANSWERS members have answered its check.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import events
from server.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from server.groups.models import Membership
from server.meetings.changes import SessionChanged
from server.meetings.models import Attendance, Meeting
from server.participation.models import STATEMENT_CHARS, CheckResponse, Statement, StatementTally
from server.text.clean import clean_line

ANSWERS = {"agree": "Agree", "partly": "Partly", "disagree": "Disagree"}
MIN_ANSWERS = 3
MAX_STATEMENTS = 20
MAX_TEXT = STATEMENT_CHARS
# Written for Codraft from the principles in the guides the groups follow:
# equal voices, plain language, reciprocity (seeing your impact).
STARTER = [
    "I was listened to.",
    "I could say what I think.",
    "I understood what was decided, and why.",
    "The words and papers we used were easy to understand.",
    "My experience counted as much as anyone else's.",
    "I can see how what I said changes the policy.",
    "I know what happens next, and who will do it.",
]


def statements_of(db: Session, group_id: int, *, active_only: bool = True) -> list[Statement]:
    q = select(Statement).where(Statement.group_id == group_id)
    if active_only:
        q = q.where(Statement.active.is_(True))
    return list(db.scalars(q.order_by(Statement.position, Statement.id)))


def ensure(db: Session, group_id: int) -> list[Statement]:
    """Give a group the starter set the first time it needs statements (when a
    session closes, or a facilitator first edits the list)."""
    found = db.scalar(select(func.count()).where(Statement.group_id == group_id))
    if not found:
        for n, text in enumerate(STARTER):
            db.add(Statement(group_id=group_id, text=text, position=n))
        db.flush()
    return statements_of(db, group_id)


def _on_session(db: Session, evt: SessionChanged) -> None:
    """A session closed: the group's "I statements" check opens now."""
    if evt.action == "closed":
        ensure(db, evt.group_id)


def install() -> None:
    """Open the check when a session closes, in the same transaction (events.within;
    server/models.py calls this), so meetings need not import participation."""
    events.within(SessionChanged, _on_session)


def _text(text: str) -> str:
    text = clean_line(text or "").strip()
    if not text:
        raise InvalidInput("Write the statement.", fields={"text": ["Required."]})
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            f"A statement can be up to {MAX_TEXT} characters.",
            fields={"text": [f"Up to {MAX_TEXT} characters."]},
        )
    return text


def _room_for_one(db: Session, group_id: int) -> None:
    """The one limit on statements asked: adding one and bringing one back both
    check it (bringing back a retired one used to pass it)."""
    if len(ensure(db, group_id)) >= MAX_STATEMENTS:
        raise InvalidInput(
            f"A check can have up to {MAX_STATEMENTS} statements: keep it short.",
            code="too_many",
        )


def add(db: Session, group_id: int, text: str) -> Statement:
    _room_for_one(db, group_id)
    last = db.scalar(select(func.max(Statement.position)).where(Statement.group_id == group_id))
    row = Statement(group_id=group_id, text=_text(text), position=(last or 0) + 1)
    db.add(row)
    db.flush()
    return row


def get_statement(db: Session, statement_id: int) -> Statement:
    row = db.get(Statement, statement_id)
    if row is None:
        raise NotFound("That statement was not found.")
    return row


def change(
    db: Session, statement: Statement, *, text: str | None = None, active: bool | None = None
) -> Statement:
    """Reword a statement, or retire it (its past results stay) or bring it back."""
    if active and not statement.active:
        _room_for_one(db, statement.group_id)
    if text is not None:
        statement.text = _text(text)
    if active is not None:
        statement.active = active
    db.flush()
    return statement


# --- answering -------------------------------------------------------------------------


def may_answer(db: Session, meeting: Meeting, membership: Membership) -> bool:
    """Members who were at the session: recorded present, or (when nobody's
    attendance was recorded) in the group before it closed."""
    rows = dict(
        db.execute(
            select(Attendance.user_id, Attendance.status).where(Attendance.meeting_id == meeting.id)
        ).all()
    )
    if rows:
        return rows.get(membership.user_id) == "present"
    return meeting.closed_at is not None and membership.joined_at <= meeting.closed_at


def has_answered(db: Session, meeting_id: int, user_id: int) -> bool:
    return (
        db.scalar(
            select(CheckResponse.id).where(
                CheckResponse.meeting_id == meeting_id, CheckResponse.user_id == user_id
            )
        )
        is not None
    )


def answer(db: Session, meeting: Meeting, membership: Membership, answers: dict) -> None:
    """Count one member's answers ({statement_id: "agree" | "partly" | "disagree"}).
    Everything is checked before anything is stored: a closed session the member
    was at, known statements, known answers, and a first answer."""
    if meeting.closed_at is None:
        raise Conflict("The check opens when the session has closed.", code="session_not_closed")
    if not may_answer(db, meeting, membership):
        raise PermissionDenied(
            "This check is for the members who were at the session.", code="not_at_session"
        )
    asked = {s.id for s in statements_of(db, meeting.group_id)}
    if not answers:
        raise InvalidInput("Answer at least one statement.", fields={"answers": ["Empty."]})
    for key, value in answers.items():
        if key not in asked:
            raise InvalidInput(
                "That statement is not part of this group's check.",
                fields={"answers": [f"Unknown statement {key}."]},
            )
        if value not in ANSWERS:
            raise InvalidInput(
                "Each answer is agree, partly or disagree.",
                fields={"answers": ["agree, partly or disagree."]},
            )
    if has_answered(db, meeting.id, membership.user_id):
        raise Conflict("You have answered this check already.", code="already_answered")
    try:
        with db.begin_nested():
            db.add(CheckResponse(meeting_id=meeting.id, user_id=membership.user_id))
            db.flush()
    except IntegrityError:
        raise Conflict("You have answered this check already.", code="already_answered") from None
    for statement_id, value in answers.items():
        column = getattr(StatementTally, value)
        bumped = db.execute(
            update(StatementTally)
            .where(
                StatementTally.meeting_id == meeting.id,
                StatementTally.statement_id == statement_id,
            )
            .values({value: column + 1})
            .execution_options(synchronize_session=False)
        ).rowcount
        if not bumped:
            row = StatementTally(meeting_id=meeting.id, statement_id=statement_id)
            row.agree = row.partly = row.disagree = 0
            setattr(row, value, 1)
            db.add(row)
    db.flush()


# --- results -------------------------------------------------------------------------


def answered_count(db: Session, meeting_id: int) -> int:
    return db.scalar(select(func.count()).where(CheckResponse.meeting_id == meeting_id)) or 0


def results(db: Session, group_id: int) -> dict:
    """Counts per statement for each closed session, oldest first. A session with
    fewer than MIN_ANSWERS answers shows no counts at all (`shown` False), and so
    does a statement fewer than MIN_ANSWERS people answered."""
    meetings = list(
        db.scalars(
            select(Meeting)
            .where(Meeting.group_id == group_id, Meeting.closed_at.is_not(None))
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )
    answered = dict(
        db.execute(
            select(CheckResponse.meeting_id, func.count())
            .where(CheckResponse.meeting_id.in_([m.id for m in meetings]))
            .group_by(CheckResponse.meeting_id)
        ).all()
    )
    tallies = {
        (t.meeting_id, t.statement_id): t
        for t in db.scalars(
            select(StatementTally).where(StatementTally.meeting_id.in_([m.id for m in meetings]))
        )
    }
    statements = statements_of(db, group_id, active_only=False)
    sessions = []
    for m in meetings:
        n = answered.get(m.id, 0)
        shown = n >= MIN_ANSWERS
        rows = []
        for s in statements:
            t = tallies.get((m.id, s.id))
            counts = {k: getattr(t, k) if t else 0 for k in ANSWERS}
            ok = shown and sum(counts.values()) >= MIN_ANSWERS
            rows.append({"statement_id": s.id, "shown": ok, "counts": counts if ok else None})
        sessions.append(
            {
                "meeting_id": m.id,
                "title": m.title,
                "starts_at": m.starts_at,
                "answered": n if shown else None,
                "shown": shown,
                "statements": rows,
            }
        )
    return {
        "statements": [{"id": s.id, "text": s.text, "active": s.active} for s in statements],
        "sessions": sessions,
        "min_answers": MIN_ANSWERS,
    }
