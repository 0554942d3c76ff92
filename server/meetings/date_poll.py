"""Picking the date of the next session: a facilitator offers some dates, each
member answers yes, if need be, or no for each, and everyone sees the counts and
who gave them. Closing the poll may plan the session on the chosen date.

Callers authorise: every member reads and answers; facilitators ask and close.
Every list is checked whole before anything is saved, so one bad line changes
nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.accounts.services import valid_name
from server.db import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.events import publish
from server.groups.models import Group, Membership
from server.meetings import services
from server.meetings.changes import DatesAsked
from server.meetings.models import DateAnswer, DateOption, DatePoll

ANSWERS = {"yes": "Yes", "if_need_be": "If need be", "no": "No"}
MAX_OPTIONS = 20
DEFAULT_TITLE = "Next session"


def get_poll(db: Session, poll_id: int) -> DatePoll:
    row = db.get(DatePoll, poll_id)
    if row is None:
        raise NotFound("That date poll was not found.")
    return row


def polls_of(db: Session, group_id: int, limit: int | None = None) -> list[DatePoll]:
    """A group's date polls, open ones first, newest first."""
    return list(
        db.scalars(
            select(DatePoll)
            .where(DatePoll.group_id == group_id)
            .order_by(DatePoll.closed_at.is_not(None), DatePoll.id.desc())
            .limit(limit)
        )
    )


def _check_dates(
    dates: list[datetime | None], now: datetime, numbers: list[int] | None = None
) -> list[datetime]:
    """The dates sorted, or the first fault, naming the date by its number (`numbers`:
    what the person sees, a form's box; by default its place in the list)."""
    if not dates:
        raise InvalidInput("Offer at least one date.", fields={"options": ["At least one."]})
    if len(dates) > MAX_OPTIONS:
        raise InvalidInput(
            f"Offer up to {MAX_OPTIONS} dates.", fields={"options": [f"Up to {MAX_OPTIONS}."]}
        )
    for n, when in enumerate(dates):
        where, number = f"options[{n}]", numbers[n] if numbers else n + 1
        if when is None:
            raise InvalidInput(
                f"Date {number} needs a day and a time.", fields={where: ["Required."]}
            )
        if when <= now:
            raise InvalidInput(
                f"Date {number} has already passed: each date must be in the future.",
                fields={where: ["Already passed."]},
            )
    if len(set(dates)) != len(dates):
        raise InvalidInput("Offer each date once.", fields={"options": ["A date is twice."]})
    return sorted(dates)


def ask(
    db: Session,
    group: Group,
    by: User,
    *,
    title: str | None,
    options: list,
    numbers: list[int] | None = None,
) -> DatePoll:
    """Offer dates for the next session; members are told (after commit). `numbers`:
    what each date is called where it was typed (see _check_dates)."""
    dates = _check_dates(list(options), utcnow(), numbers)
    poll = DatePoll(
        group_id=group.id,
        title=valid_name(title or DEFAULT_TITLE, "title", 200),
        created_by_id=by.id,
    )
    poll.options = [DateOption(starts_at=d) for d in dates]
    db.add(poll)
    db.flush()
    publish(db, DatesAsked(group.id, poll.id, by.id))
    return poll


def answer(db: Session, poll: DatePoll, user_id: int, answers: dict) -> DatePoll:
    """Record a member's answers: {option id: "yes" | "if_need_be" | "no"}. Dates
    left out keep what the member said before."""
    if poll.closed_at is not None:
        raise Conflict("This date poll is closed.", code="poll_closed")
    if not answers:
        raise InvalidInput("Answer for at least one date.", fields={"answers": ["Empty."]})
    known = {o.id for o in poll.options}
    cleaned: dict[int, str] = {}
    for key, value in answers.items():
        try:
            option_id = int(key)
        except (TypeError, ValueError):
            option_id = None
        if option_id not in known:
            raise InvalidInput(
                "Answer only for the dates this poll offers.",
                fields={f"answers.{key}": ["Not a date of this poll."]},
            )
        if value not in ANSWERS:
            raise InvalidInput(
                "Answer yes, if need be, or no.",
                fields={f"answers.{key}": ["yes, if_need_be or no."]},
            )
        cleaned[option_id] = value
    mine = {
        a.option_id: a
        for a in db.scalars(
            select(DateAnswer).where(
                DateAnswer.user_id == user_id, DateAnswer.option_id.in_(list(cleaned))
            )
        )
    }
    now = utcnow()
    for option_id, value in cleaned.items():
        row = mine.get(option_id)
        if row is None:
            db.add(DateAnswer(option_id=option_id, user_id=user_id, answer=value, answered_at=now))
        elif row.answer != value:
            row.answer, row.answered_at = value, now
    db.flush()
    return poll


def close(db: Session, poll: DatePoll, by: User, option_id: int | None, place: str = ""):
    """Close the poll. With a date chosen, plan the session on it (its agenda
    starts as any planned session's does)."""
    if poll.closed_at is not None:
        raise Conflict("This date poll is closed already.", code="poll_closed")
    if option_id is not None:
        option = next((o for o in poll.options if o.id == option_id), None)
        if option is None:
            raise InvalidInput(
                "Choose one of the dates this poll offers.",
                fields={"option_id": ["Not a date of this poll."]},
            )
        group = db.get(Group, poll.group_id)
        meeting = services.schedule(
            db, group, by, title=poll.title, starts_at=option.starts_at, place=place
        )
        poll.meeting_id = meeting.id
    poll.closed_at = utcnow()
    db.flush()
    return poll


def remove(db: Session, poll: DatePoll) -> None:
    db.execute(delete(DatePoll).where(DatePoll.id == poll.id))


def results(db: Session, poll: DatePoll, me_id: int) -> dict:
    """The poll as members see it: for each date the counts and who gave each
    answer, your own answers, and how many members have answered."""
    option_ids = [o.id for o in poll.options]
    rows = db.execute(
        select(DateAnswer.option_id, DateAnswer.answer, User.id, User.display_name)
        .join(User, User.id == DateAnswer.user_id)
        .join(
            Membership,
            (Membership.user_id == User.id) & (Membership.group_id == poll.group_id),
        )
        .where(DateAnswer.option_id.in_(option_ids))
        .order_by(User.display_name, User.id)
    ).all()
    who: dict[int, dict[str, list]] = defaultdict(lambda: {a: [] for a in ANSWERS})
    mine: dict[str, str] = {}
    answered: set[int] = set()
    for option_id, value, user_id, name in rows:
        who[option_id][value].append({"user_id": user_id, "name": name})
        answered.add(user_id)
        if user_id == me_id:
            mine[str(option_id)] = value
    members = len(
        db.scalars(select(Membership.user_id).where(Membership.group_id == poll.group_id)).all()
    )
    options = []
    for o in poll.options:
        people = who[o.id]
        options.append(
            {
                "id": o.id,
                "starts_at": o.starts_at,
                "counts": {a: len(people[a]) for a in ANSWERS},
                "people": people,
            }
        )
    best = max(
        (o for o in options if o["counts"]["yes"] + o["counts"]["if_need_be"]),
        key=lambda o: (o["counts"]["yes"] + o["counts"]["if_need_be"], o["counts"]["yes"]),
        default=None,
    )
    return {
        "id": poll.id,
        "group_id": poll.group_id,
        "title": poll.title,
        "open": poll.closed_at is None,
        "created_at": poll.created_at,
        "closed_at": poll.closed_at,
        "session_id": poll.meeting_id,
        "options": options,
        "mine": mine,
        "answered": len(answered),
        "members": members,
        "best_option_id": best["id"] if best else None,
    }
