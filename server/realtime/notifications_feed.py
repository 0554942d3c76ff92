"""Notifications from domain events, and unread counts to each member's open pages.

Review and session changes (server/review/changes.py, server/meetings/changes.py)
are delivered after their commit; here each becomes notifications
(server/notifications/rules.py says who hears of what) in a transaction of its
own, right after. A crash in the moment between the two commits would lose
those notifications (never the change itself); docs/notifications.md says so.

Every signed-in socket joins its member's room (`user:<id>`, on connect); when a
member's unread count changes it gets a `notifications` event there.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context

from server import events, jobs
from server.extensions import socketio
from server.meetings.changes import SessionChanged
from server.notifications import rules
from server.notifications.services import NotificationsChanged, tell, unread_count
from server.review.changes import ReviewChanged

log = logging.getLogger(__name__)


def room_of(user_id: int) -> str:
    return f"user:{user_id}"


def _new_session():
    """A session from the app's factory (so its own events are delivered after its
    commit): listeners run inside another session's commit."""
    return current_app.extensions["codraft_db"].session.session_factory()


def _tell(build) -> None:
    if not has_app_context():
        return  # e.g. `codraft demo` loading data: nobody to tell
    delivery = jobs.delivery_from(current_app.config)
    db = _new_session()
    try:
        for notice, user_ids in build(db):
            tell(db, notice, user_ids, delivery)
        db.commit()
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()


def _on_review(evt: ReviewChanged) -> None:
    _tell(lambda db: rules.from_review(db, evt))


def _on_session(evt: SessionChanged) -> None:
    tz = current_app.config["TIME_ZONE"] if has_app_context() else "Europe/London"
    _tell(lambda db: rules.from_session(db, evt, tz))


def _on_counts(evt: NotificationsChanged) -> None:
    if not has_app_context():
        return
    db = _new_session()
    try:
        for user_id in sorted(set(evt.user_ids)):
            socketio.emit(
                "notifications", {"unread": unread_count(db, user_id)}, to=room_of(user_id)
            )
    finally:
        db.close()


def init_app(app) -> None:
    events.subscribe(ReviewChanged, _on_review)
    events.subscribe(SessionChanged, _on_session)
    events.subscribe(NotificationsChanged, _on_counts)
    jobs.configure(app.config)


def start_jobs(app) -> None:
    """Run server/jobs.py in this server process (`codraft serve` and `run` call it)."""
    jobs.start(app, socketio.sleep, socketio.start_background_task)
