"""Scheduled notification work, run by server/jobs.py (never inside a page read):
reminders for votes closing within a day, the digest the day before a session,
and the daily email of what members asked to get once a day.

Each is safe to run again or in two processes at once: notifications and outbox
rows have unique keys, so a second run records nothing new.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.db import utcnow
from server.groups.models import Group
from server.meetings.models import Meeting
from server.notifications import outbox, rules
from server.notifications.counts import changed_counts
from server.notifications.delivery import Delivery
from server.notifications.emails import render
from server.notifications.services import Notice, Told, linked_items, pending_digest, tell
from server.review.models import Vote, VoteSubject

DAY = timedelta(hours=24)


def remind_closing_votes(db: Session, now: datetime, delivery: Delivery) -> list[Told]:
    """Tell each member who has not voted, once per vote and closing time, when it
    closes within a day."""
    told: list[Told] = []
    for vote in db.scalars(
        select(Vote).where(
            Vote.closed_at.is_(None),
            Vote.closes_at.is_not(None),
            Vote.closes_at > now,
            Vote.closes_at <= now + DAY,
        )
    ):
        members = rules.group_members(db, vote.group_id)
        waiting = [
            u
            for u, left in rules.votes_not_cast(db, vote.group_id, members).items()
            if any(v.id == vote.id for v in left)
        ]
        notice = Notice(
            "vote_closing",
            # Once per closing time: a vote given more time is reminded of again.
            f"vote_closing:{vote.id}:{vote.closes_at:%Y%m%dT%H%M}",
            vote.group_id,
            f"/votes/{vote.id}",
            f"A vote on “{rules._section_title(db, vote.section_id)}” closes on "
            f"{rules.when(vote.closes_at, delivery.time_zone)} and you have not voted yet.",
        )
        told += tell(db, notice, waiting, delivery)
    db.flush()
    return told


def session_soon(db: Session, now: datetime, delivery: Delivery) -> list[Told]:
    """The day before a session: each member's own count of what changed since the
    last session, and the open votes they have not cast."""
    told: list[Told] = []
    for meeting in db.scalars(
        select(Meeting).where(
            Meeting.started_at.is_(None),
            Meeting.closed_at.is_(None),
            Meeting.starts_at > now,
            Meeting.starts_at <= now + DAY,
        )
    ):
        members = rules.group_members(db, meeting.group_id)
        counts = changed_counts(db, meeting.group_id, members)
        not_cast = rules.votes_not_cast(db, meeting.group_id, members)
        starts = rules.when(meeting.starts_at, delivery.time_zone)
        base = f"The session “{meeting.title}” is on {starts}."
        titles = {
            v.id: _vote_title(db, v, delivery.time_zone) for left in not_cast.values() for v in left
        }
        texts, items = {}, {}
        for uid in members:
            n, left = counts.get(uid, 0), not_cast.get(uid, [])
            texts[uid] = (
                f"{base} Review what changed: {n} {'thing' if n == 1 else 'things'} since the "
                f"last session. "
                + (
                    f"You have not voted in {len(left)} open "
                    f"{'vote' if len(left) == 1 else 'votes'}: "
                    + "; ".join(titles[v.id] for v in left)
                    + "."
                    if left
                    else "You have voted in every open vote."
                )
            )
            items[uid] = [{"text": titles[v.id], "link": f"/votes/{v.id}"} for v in left]
        notice = Notice(
            "session_soon",
            f"session_soon:{meeting.id}:{meeting.starts_at:%Y%m%d%H%M}",
            meeting.group_id,
            f"/groups/{meeting.group_id}/review",
            base,
            None,
            texts,
            items,
        )
        told += tell(db, notice, members, delivery)
    db.flush()
    return told


def _vote_title(db: Session, vote: Vote, time_zone: str) -> str:
    """A vote in a few words: what it is about, and when it closes if it does."""
    what = "agreeing" if vote.subject == VoteSubject.AGREEMENT else "a change to"
    title = f"the vote on {what} “{rules._section_title(db, vote.section_id)}”"
    if vote.closes_at is not None:
        title += f" (closes {rules.when(vote.closes_at, time_zone)})"
    return title


def daily_digest(db: Session, now: datetime, delivery: Delivery, hour: int) -> int:
    """Once a day, from `hour` local time: one email per member with everything they
    asked to get daily and have not read. Returns how many emails were recorded."""
    if not delivery.mail_on:
        return 0
    local = now.astimezone(ZoneInfo(delivery.time_zone))
    if local.hour < hour:
        return 0
    recorded = 0
    groups: dict[int, str] = {}
    for user_id, notes in pending_digest(db, now).items():
        user = db.get(User, user_id)
        if user is None or not user.is_active:
            continue
        for n in notes:
            if n.group_id not in groups:
                groups[n.group_id] = db.get(Group, n.group_id).name
        email = render(
            "digest",
            delivery,
            user_id=user.id,
            kind="digest",
            name=user.display_name,
            items=[
                {
                    "text": n.text,
                    "url": delivery.url(n.link),
                    "group": groups[n.group_id],
                    "linked": linked_items(delivery, n),
                }
                for n in notes
            ],
        )
        if outbox.record(db, f"daily:{user.id}:{local:%Y-%m-%d}", user, email):
            stamp = utcnow()
            for n in notes:
                n.mailed_at = stamp
            recorded += 1
    db.flush()
    return recorded
