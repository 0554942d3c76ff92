"""The demo tells one story relative to today (issue 17: an "October session" dated
4 November, "started on 2 December"): each session is named by its own month, the
last one started and closed on its date four weeks ago, the policy was written
before it, version 1 was published after it, and the review since is recent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from server.accounts.models import User
from server.db import utcnow
from server.demo import load_demo
from server.history.models import Checkpoint
from server.meetings.models import Meeting
from server.policies.models import Policy, Section
from server.publishing.models import Release
from server.review.models import Comment


def test_demo_dates_agree_with_each_other_and_with_today(db):
    before = utcnow()
    load_demo(db)
    db.commit()
    past, upcoming = db.scalars(select(Meeting).order_by(Meeting.starts_at)).all()
    for meeting in (past, upcoming):
        assert meeting.title == f"{meeting.starts_at:%B} whole-group session"
    assert past.starts_at <= past.started_at < past.starts_at + timedelta(minutes=1)
    assert past.starts_at < before - timedelta(days=27)
    assert past.started_at < past.closed_at < past.starts_at + timedelta(days=1)
    assert upcoming.started_at is None and upcoming.starts_at > before + timedelta(days=13)

    policy = db.scalars(select(Policy)).one()
    sections = db.scalars(select(Section)).all()
    assert policy.created_at < past.starts_at
    assert all(s.created_at < past.starts_at for s in sections)
    checkpoint = db.scalars(select(Checkpoint)).one()
    assert past.starts_at <= checkpoint.created_at < past.closed_at
    release = db.scalars(select(Release)).one()
    assert past.closed_at < release.created_at < before
    assert past.title in (release.note or "")
    assert all(c.created_at >= before for c in db.scalars(select(Comment)))


def test_loading_the_demo_again_changes_no_date(db):
    load_demo(db)
    db.commit()
    stamps = [(m.id, m.started_at, m.closed_at) for m in db.scalars(select(Meeting))]
    load_demo(db)
    db.commit()
    assert [(m.id, m.started_at, m.closed_at) for m in db.scalars(select(Meeting))] == stamps


def test_two_demo_members_have_not_taken_part_yet(db):
    """So that signing in as one of them shows a first visit ("Where to start")."""
    from server.demo import FIRST_TIMERS
    from server.groups.models import Group
    from server.review import counts
    from server.review.models import Vote, VoteSubject

    load_demo(db)
    db.commit()
    group = db.scalars(select(Group)).one()
    people = {u.email: u.id for u in db.scalars(select(User))}
    for email in people:
        assert counts.has_taken_part(db, people[email], group.id) is (email not in FIRST_TIMERS)
    agreed = db.scalars(select(Vote).where(Vote.subject == VoteSubject.AGREEMENT)).one()
    assert agreed.outcome == "approved" and agreed.closed_at is not None
