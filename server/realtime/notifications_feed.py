"""Notifications from domain events, and unread counts to each member's open pages.

Review and session services publish `ReviewChanged` and `SessionChanged`
(server/review/changes.py, server/meetings/changes.py). Just before the
transaction that published them commits, each is written down as a pending event
in that same transaction (server/notifications/pending.py): a change and the fact
that people must hear of it commit together, and it costs the request one insert.
Right after the commit a background task turns them into notifications and
emails (server/notifications/rules.py says who hears of what); the jobs
(server/jobs.py) pick up any that a crash left behind.

Every signed-in socket joins its member's room (`user:<id>`, on connect); when a
member's unread count changes it gets a `notifications` event there, after commit.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server import events, jobs
from server.db import without_lock_waits
from server.extensions import socketio
from server.notifications import pending
from server.notifications.services import NotificationsChanged, unread_counts
from server.realtime.cutoff import user_room

log = logging.getLogger(__name__)
_DONE = "codraft_notified"  # ids of the events already written down in this transaction
_KICK = "codraft_notify_kick"


def _before_commit(db: Session) -> None:
    if db.in_nested_transaction():
        return  # a savepoint's events wait for the real commit
    done = db.info.setdefault(_DONE, set())
    new = [e for e in events.pending(db) if pending.worth_telling(e) and id(e) not in done]
    if new:
        done.update(id(e) for e in new)
        pending.record(db, new)
        db.info[_KICK] = True


def _after_commit(db: Session) -> None:
    if db.in_nested_transaction():
        return
    db.info.pop(_DONE, None)
    if db.info.pop(_KICK, False) and has_app_context():
        app = current_app._get_current_object()
        if not app.config.get("TESTING"):  # tests run the jobs themselves, in order
            socketio.start_background_task(_drain, app)


def _forget(db: Session) -> None:
    if not db.in_nested_transaction():
        db.info.pop(_DONE, None)
        db.info.pop(_KICK, None)


def _drain(app) -> None:
    """Tell what was just committed, now, rather than at the next job run."""
    database = app.extensions["codraft_db"]
    try:
        with app.app_context(), without_lock_waits(database.session):
            pending.process(database.session, jobs.delivery_from(app.config))
    except OperationalError:
        log.info("the database is busy; the jobs will tell these events shortly")
    except Exception:
        log.exception("turning events into notifications failed; the jobs will retry")
    finally:
        database.remove()


def _on_counts(evt: NotificationsChanged) -> None:
    """Send the new counts in the background: whoever caused them need not wait."""
    if not has_app_context():
        return
    socketio.start_background_task(
        _send_counts, current_app.extensions["codraft_db"].engine, sorted(set(evt.user_ids))
    )


def _send_counts(engine, user_ids: list[int]) -> None:
    try:
        with Session(bind=engine) as db:
            for user_id, unread in unread_counts(db, user_ids).items():
                socketio.emit("notifications", {"unread": unread}, to=user_room(user_id))
    except Exception:
        log.exception("sending unread counts failed")


def init_app(app) -> None:
    factory = app.extensions["codraft_db"].session.session_factory
    if not event.contains(factory, "before_commit", _before_commit):
        event.listen(factory, "before_commit", _before_commit)
        event.listen(factory, "after_commit", _after_commit)
        event.listen(factory, "after_rollback", _forget)
    events.subscribe(NotificationsChanged, _on_counts)
    jobs.configure(app.config)
