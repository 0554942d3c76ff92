"""Domain events, delivered only after the transaction that caused them commits.

Services call `publish(db, event)`; nothing leaves the process until the commit
succeeds, and a rollback drops the events. The realtime layer subscribes to tell
connected browsers (broadcast text changes, cut off someone who lost access).
Services stay free of Flask and sockets; they only describe what happened.

A few listeners must write in the same transaction as the change itself (every
policy op becomes history; a closed session opens the "I statements" check).
They register with `within`, so a lower package announces the change and a higher
one acts on it, without the lower one importing the higher (tests/test_layers.py
holds the order). server/models.py wires them, as everything that uses the
database imports it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_subscribers: dict[type, list[Callable]] = defaultdict(list)
_within: dict[type, list[Callable]] = defaultdict(list)
_KEY = "codraft_events"


def publish(db: Session, evt: object) -> None:
    """Run the listeners that write in this transaction now, `handler(db, evt)`;
    queue the event for the others, after the commit."""
    for handler in _within.get(type(evt), ()):
        handler(db, evt)
    db.info.setdefault(_KEY, []).append(evt)


def within(event_type: type, handler: Callable) -> None:
    """Have `handler(db, evt)` run inside the transaction that publishes the event
    (its writes commit or roll back with the change; an error in it refuses the
    change)."""
    if handler not in _within[event_type]:
        _within[event_type].append(handler)


def pending(db: Session) -> list:
    """The events this session will deliver when it commits (for work that must
    join the same transaction, e.g. server/realtime/notifications_feed.py)."""
    return list(db.info.get(_KEY, ()))


@contextmanager
def savepoint(db: Session):
    """A nested transaction whose events are dropped with it if it rolls back, so
    one refused change in a batch (realtime.group_commit) announces nothing; the
    rows it left in a journal (below) are dropped with it too."""
    mark = len(db.info.get(_KEY, ()))
    journals = db.info.get(_JOURNALS, {})
    marks = {name: (len(j.items), j.flushed) for name, j in journals.items()}
    try:
        with db.begin_nested():
            yield
    except BaseException:
        del db.info.get(_KEY, [])[mark:]
        for name in list(journals):
            if name not in marks:  # begun inside the savepoint: nothing of it stays
                del journals[name]
                continue
            size, flushed = marks[name]
            del journals[name].items[size:]
            journals[name].flushed = flushed  # written inside it: rolled back, write again
        raise


# --- writes kept for the end of a batch ---------------------------------------------------
#
# A batch of live changes (realtime.group_commit) runs each change in a savepoint and
# commits once. Rows that every change adds (the op log, history) are kept in a
# journal on the session and written by one statement per table before the commit
# (`flush`), rather than one statement per change. A savepoint that rolls back
# drops its changes' rows from the journals, so what is written is exactly what the
# per-change path would have written.

_BATCH = "codraft_batch"
_JOURNALS = "codraft_journals"
_flushers: list[Callable[[Session], None]] = []


@dataclass
class Journal:
    """Rows kept for the batch's end. `items[:flushed]` are in the database already
    (written early, e.g. before a read that needs them); `memo` holds what was read
    once for the batch and stays true whatever rolls back."""

    items: list = field(default_factory=list)
    flushed: int = 0
    memo: dict = field(default_factory=dict)

    def unwritten(self) -> list:
        return self.items[self.flushed :]


def begin_batch(db: Session) -> None:
    """Keep this transaction's journal rows until `flush` (the batch writer's call)."""
    db.info[_BATCH] = True


def end_batch(db: Session) -> None:
    db.info.pop(_BATCH, None)
    db.info.pop(_JOURNALS, None)


def batched(db: Session) -> bool:
    return db.info.get(_BATCH, False)


def journal(db: Session, name: str) -> Journal:
    return db.info.setdefault(_JOURNALS, {}).setdefault(name, Journal())


def deferred(flush: Callable[[Session], None]) -> None:
    """Register `flush(db)`, which writes a journal's unwritten rows (idempotent)."""
    if flush not in _flushers:
        _flushers.append(flush)


def flush(db: Session) -> None:
    """Write every journal's unwritten rows, in the order the flushers registered."""
    if db.info.get(_JOURNALS):
        for fn in _flushers:
            fn(db)


def subscribe(event_type: type, handler: Callable) -> None:
    if handler not in _subscribers[event_type]:
        _subscribers[event_type].append(handler)


def install(session_factory) -> None:
    """Hook delivery onto a sessionmaker (or scoped_session's factory)."""

    # SQLAlchemy fires both hooks for a savepoint too (a nested commit or rollback):
    # a savepoint's events wait for the real commit, and `savepoint` below drops
    # those of one that rolls back.

    @event.listens_for(session_factory, "before_commit")
    def _write_journals(session: Session) -> None:
        if not session.in_nested_transaction():  # the real commit, not a savepoint's
            flush(session)

    @event.listens_for(session_factory, "after_commit")
    def _deliver(session: Session) -> None:
        if session.in_nested_transaction():
            return
        session.info.pop(_JOURNALS, None)
        pending = session.info.pop(_KEY, [])
        for evt in pending:
            for handler in _subscribers.get(type(evt), ()):
                try:
                    handler(evt)
                except Exception:  # a listener must not undo a committed change
                    log.exception("event handler failed for %r", evt)

    @event.listens_for(session_factory, "after_rollback")
    def _drop(session: Session) -> None:
        if not session.in_nested_transaction():
            session.info.pop(_KEY, None)
            session.info.pop(_JOURNALS, None)


# --- access changes (the realtime layer cuts off sockets that lost their rights) ----


@dataclass(frozen=True)
class SignInEnded:
    auth_session_id: int | None = None
    user_id: int | None = None  # all sign-ins of this person (password change, disabled)


@dataclass(frozen=True)
class ApiTokenRevoked:
    api_token_id: int


@dataclass(frozen=True)
class MembershipEnded:
    group_id: int
    user_id: int


@dataclass(frozen=True)
class EditRightsChanged:
    """Someone joined or left a sub-group, their role changed, or a section changed
    owner: their sockets get `rights` again."""

    group_id: int
    user_id: int | None = None  # None: everyone connected to the group


# --- what public pages show ---------------------------------------------------------------


@dataclass(frozen=True)
class PublicPagesChanged:
    """A policy's public page was switched on or off, or someone changed whether
    published policies may name them: what public pages show may differ now (the
    page's cache in server/web/publishing.py listens)."""

    policy_id: int | None = None  # None: any policy (a credit setting)
