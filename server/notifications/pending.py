"""Events waiting to become notifications (the table `notification_events`).

`record` runs inside the transaction that made the change, just before it
commits: one insert, so the change and the fact that people must hear of it
commit together. `process` turns each row into notifications (and emails) in a
transaction of its own that also deletes the row: a crash before that commit
leaves the row for the next run, and two processes cannot both take it (the
second DELETE finds nothing). So every event is told exactly once.
"""

from __future__ import annotations

import logging
from dataclasses import asdict

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.meetings.changes import ActionGiven, DatesAsked, SessionChanged
from server.notifications import rules
from server.notifications.delivery import Delivery
from server.notifications.models import PendingEvent
from server.notifications.services import tell
from server.review.changes import ReviewChanged

log = logging.getLogger(__name__)
TYPES = {
    "review": ReviewChanged,
    "session": SessionChanged,
    "dates": DatesAsked,
    "action": ActionGiven,
}
NAMES = {cls: name for name, cls in TYPES.items()}
BATCH = 200


def worth_telling(evt: object) -> bool:
    return type(evt) in NAMES


def record(db: Session, events: list) -> int:
    rows = [{"kind": NAMES[type(e)], "payload": asdict(e)} for e in events if worth_telling(e)]
    if rows:
        db.execute(PendingEvent.__table__.insert(), rows)
    return len(rows)


def _notices(db: Session, evt, delivery: Delivery):
    if isinstance(evt, ReviewChanged):
        return rules.from_review(db, evt)
    if isinstance(evt, DatesAsked):
        return rules.from_dates_asked(db, evt)
    if isinstance(evt, ActionGiven):
        return rules.from_action_given(db, evt)
    return rules.from_session(db, evt, delivery.time_zone)


def process(db: Session, delivery: Delivery) -> int:
    """Turn waiting events into notifications, one transaction each (commits).
    Returns how many events this process handled."""
    handled = 0
    for event_id in list(
        db.scalars(select(PendingEvent.id).order_by(PendingEvent.id).limit(BATCH))
    ):
        taken = db.execute(
            delete(PendingEvent)
            .where(PendingEvent.id == event_id)
            .returning(PendingEvent.kind, PendingEvent.payload)
            .execution_options(synchronize_session=False)
        ).first()
        if taken is None:  # another process has it
            db.rollback()
            continue
        kind, payload = taken
        try:
            evt = TYPES[kind](**payload)
            for notice, user_ids in _notices(db, evt, delivery):
                tell(db, notice, user_ids, delivery)
            db.commit()
            handled += 1
        except Exception:
            db.rollback()  # the row comes back; the next run tries again
            log.exception("notifications for event %s failed; will try again", event_id)
    return handled
