"""The boundary every socket event passes through.

It does for a socket event what Flask does for a request, since Flask-SocketIO
runs no before_request: flood control, payload validation, re-authentication
of the socket's credential, one transaction, errors as acks. Changes to one
policy are serialised in this process (and by the op log's row in the
database across processes) so broadcasts leave in commit order; those queued
together are written together (group_commit).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, partial, wraps

from flask import current_app
from marshmallow import Schema, ValidationError
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from server import events, sync
from server.accounts.models import User
from server.db import utcnow
from server.editing import clients
from server.editing.services import StaleWrite
from server.errors import DomainError, NotAuthenticated, NotFound, field_paths
from server.extensions import socketio
from server.policies import oplog
from server.presence import credential_epoch
from server.presence import services as presence
from server.presence.models import Connection
from server.realtime.group_commit import GroupCommit, Job
from server.realtime.limits import buckets

log = logging.getLogger(__name__)
RETRIES = 8


@dataclass
class Ctx:
    """One socket event: its session, the socket, the person (checked again for this
    event), the policy the socket joined and the client id it gave at join."""

    db: Session
    sid: str
    user: User
    policy_id: int | None
    client_id: str | None

    @cached_property
    def conn(self) -> Connection:
        """The connection row, loaded only by the events that change it (join,
        leave, presence): edits need just `policy_id`."""
        row = presence.get(self.db, self.sid)
        if row is None:
            raise NotAuthenticated("Your sign-in has ended. Sign in again.", code="signed_out")
        return row


def error_ack(code: str, message: str, **details) -> dict:
    return {"ok": False, "error": {"code": code, "message": message, **details}}


def database():
    return current_app.extensions["codraft_db"]


def own_session() -> Session:
    """A session of its own, for work that may run inside another session's commit
    (a disconnect caused by a cut-off that an after-commit listener sent)."""
    return Session(bind=database().engine, expire_on_commit=False)


def load_ctx(db: Session, sid: str) -> Ctx:
    """Who is on this socket, checked again now: a sign-out, a revoked token or a
    disabled account takes effect on the very next event (one query; see
    presence.live_user for why nothing of it is kept between events)."""
    found = presence.live_user(db, sid, current_app.config["SESSION_IDLE"])
    if found is None:
        raise NotAuthenticated("Your sign-in has ended. Sign in again.", code="signed_out")
    return Ctx(db, sid, found[0], found[1], _client_ids.get(sid))


@dataclass
class _Checked:
    """A socket's last credential check, good while the credential epoch stays
    `epoch` and the clock is before `until` (the sign-in's expiry or idle time)."""

    epoch: int
    user: User
    policy_id: int | None
    until: datetime


def batch_ctx(db: Session, sid: str, epoch: int, policy_id: int) -> Ctx:
    """`load_ctx` for a change in a batch: the socket's last check is used again when
    nothing that may end a credential has changed since (credential_epoch, read once
    per batch) and it joined this policy; otherwise checked afresh and kept."""
    kept = _checked.get(sid)
    if (
        kept is not None
        and kept.epoch == epoch
        and kept.policy_id == policy_id
        and utcnow() < kept.until
        and not inspect(kept.user).expired_attributes  # not after a rollback
    ):
        user = db.merge(kept.user, load=False)
        return Ctx(db, sid, user, policy_id, _client_ids.get(sid))
    found = presence.live_user_until(db, sid, current_app.config["SESSION_IDLE"])
    if found is None:
        _checked.pop(sid, None)
        raise NotAuthenticated("Your sign-in has ended. Sign in again.", code="signed_out")
    user, joined, until = found
    _checked[sid] = _Checked(epoch, user, joined, until)
    return Ctx(db, sid, user, joined, _client_ids.get(sid))


# This process's sockets: the client id each gave at join, and the policy it joined
# (the key its changes queue on; the database's word is checked again per change),
# and the last check of each one's credential (batch_ctx).
_client_ids: dict[str, str] = {}
_joined: dict[str, int] = {}
_checked: dict[str, _Checked] = {}


def remember_join(sid: str, client_id: str | None = None, policy_id: int | None = None) -> None:
    """Note what a socket joined; with no policy, forget it (left or gone)."""
    _checked.pop(sid, None)
    if policy_id is None:
        _client_ids.pop(sid, None)
        _joined.pop(sid, None)
    else:
        _client_ids[sid] = client_id
        _joined[sid] = policy_id


def socket_event(
    name: str,
    schema: type[Schema],
    *,
    changes_policy: bool = False,
    joins: bool = False,
) -> Callable:
    """Register `fn(ctx, payload) -> reply` as the handler of a socket event.

    It is registered on python-socketio's server itself (`socketio.server.on`), not
    through Flask-SocketIO's `on`: that one builds a Flask request context for every
    event, which opens (decodes and verifies) the session cookie and matches the URL
    again, on the live edit path, for state no handler here may use (the session is
    a copy taken at connect). The handler runs in an app context only: it gets the
    socket id as an argument, and uses `enter_room` / `leave_room` below rather than
    flask_socketio's, which read `flask.request`. `connect` and `disconnect` still go
    through Flask-SocketIO: they need the cookie and the headers.

    `changes_policy`: the event changes the joined policy, so it queues with that
    policy's other changes and is written with them (`_write_batch`).
    `joins`: the event joins a policy; joins arriving together are written in one
    transaction (`_write_joins`), one commit for many rather than one each.
    """
    loader = schema()  # every event has one: `schemas.Nothing` for none (unknown fields refused)

    def decorate(fn: Callable) -> Callable:
        @wraps(fn)
        def handler(sid: str, data=None):
            if not buckets.allow(sid):
                return error_ack("rate_limited", "Too many changes at once. Slow down a little.")
            try:
                payload = loader.load(data if data is not None else {})
            except ValidationError as exc:
                return error_ack(
                    "invalid",
                    "Some fields are missing or not valid.",
                    fields=field_paths(exc.messages),
                )
            except TypeError:
                return error_ack("invalid", "The message must be an object.")
            environ = socketio.server.get_environ(sid)
            if not environ:
                return None  # the socket has gone
            with environ["flask.app"].app_context():
                if joins:
                    return _joiner.submit(JOINS, Job((partial(_as_event, fn), sid, payload, None)))
                policy_id = _joined.get(sid) if changes_policy else None
                if policy_id is None:
                    return _run(fn, sid, payload)
                return _writer.submit(
                    policy_id,
                    Job((fn, sid, payload, policy_id)),
                    limit=current_app.config["LIVE_QUEUE_LIMIT"],
                    max_wait=current_app.config["LIVE_MAX_WAIT"],
                )

        if socketio.server is None:
            raise RuntimeError("socket events are registered after socketio.init_app")
        socketio.server.on(name, handler)
        return handler

    return decorate


def _as_event(fn, db: Session, sid: str, payload: dict) -> dict:
    """A joining event in a batch of joins: checked again, like any event."""
    return fn(load_ctx(db, sid), payload)


def connect_in_batch(sid: str, record: Callable[[Session, str, None], dict]) -> dict:
    """Have `record(db, sid, None)` (the credential checked and the connection row
    written, for `connect`) carried out with the next batch of joins, and return its
    reply once committed: sockets connecting together share one commit (on SQLite one
    fsync, the process stopped) rather than paying one each."""
    return _joiner.submit(JOINS, Job((record, sid, None, None)))


def enter_room(sid: str, name: str) -> None:
    socketio.server.enter_room(sid, name, namespace="/")


def leave_room(sid: str, name: str) -> None:
    socketio.server.leave_room(sid, name, namespace="/")


def _answer(exc: Exception, sid: str, cut_off: list[str]) -> dict:
    """The error ack for a refused event (the caller rolls its writes back)."""
    if isinstance(exc, sync.SyncError):
        return exc.ack()
    if isinstance(exc, NotAuthenticated):
        cut_off.append(sid)
        return error_ack(exc.code, exc.message)
    return error_ack(exc.code, exc.message, **({"fields": exc.fields} if exc.fields else {}))


def _disconnect(sids: list[str]) -> None:
    """Close the sockets whose credential ended, once their `signed_out` ack has gone:
    closed at once, in the handler, the socket was gone before python-socketio sent
    the ack, so the client's request was never answered (a dropped connection, to
    it), where docs/protocol.md promises `signed_out` and then the disconnect. The
    close waits CLOSE_AFTER_ACK: the reply of a change in a batch leaves from its own
    greenlet, woken after the batch; meanwhile the socket's events are refused, as
    its credential is checked on each."""
    if sids:
        socketio.start_background_task(_close, list(sids))


def _close(sids: list[str]) -> None:
    socketio.sleep(CLOSE_AFTER_ACK)
    for sid in sids:
        socketio.server.disconnect(sid, namespace="/")


CLOSE_AFTER_ACK = 0.1  # seconds


def _run(fn, sid: str, payload: dict) -> dict:
    """An event that changes no policy text: its own transaction."""
    db_ = database()
    for _attempt in range(RETRIES):
        db = db_.session
        cut_off: list[str] = []
        try:
            reply = fn(load_ctx(db, sid), payload)
            db.commit()
            return reply
        except (StaleWrite, OperationalError) as exc:
            db.rollback()
            log.debug("retrying %s after %r", fn.__name__, exc)
        except (sync.SyncError, DomainError) as exc:
            db.rollback()
            return _answer(exc, sid, cut_off)
        finally:
            db_.remove()
            _disconnect(cut_off)
    return BUSY


def _once(fn, ctx: Ctx, payload: dict, requests: clients.BatchRequests) -> dict:
    """Carry out a change once per (client id, ref): a request already carried out
    (sent again after a reconnect) gets its original reply and changes nothing."""
    ref = payload.get("ref")
    if ref is None or ctx.client_id is None:
        return fn(ctx, payload)
    done = requests.reply_for(ctx.client_id, ref)
    if done is not None:
        return done
    try:
        reply = fn(ctx, payload)
    except (sync.SyncError, DomainError):
        requests.refused(ctx.db, ctx.client_id, ref)  # AlreadyDone if it was done before
        raise
    if reply.get("ok"):
        requests.remember(ctx.client_id, ref, reply)
    return reply


def _requests(db: Session, jobs: list[Job], *, look_up: bool) -> clients.BatchRequests:
    """The batch's (client id, ref) requests, looked up in one query if `look_up`
    (a try after the first: see clients.BatchRequests)."""
    asked = []
    for job in jobs if look_up else ():
        sid, payload = job.work[1], job.work[2]
        client_id = _client_ids.get(sid)
        if client_id is not None and payload.get("ref") is not None:
            asked.append((client_id, payload["ref"]))
    return clients.BatchRequests(db, asked, look_up=look_up)


def _write_batch(jobs: list[Job]) -> None:
    """Carry out a batch of one policy's changes in one transaction (group_commit).

    Each change runs in a savepoint when it has company, so a refused one is undone
    alone (its events with it) and answered with its error; the others commit
    together, and their broadcasts leave after that one commit, in seq order. A
    write conflict or a locked database undoes the whole batch, which is tried
    again on fresh state; nobody has been answered yet, so nothing is lost or
    doubled. SQLite takes its write lock at the start (BEGIN IMMEDIATE; batches of
    other policies wait for it cooperatively, server.sqlite_writer), so what the
    batch reads cannot change under it; PostgreSQL locks the policy's op-log
    row first (oplog.lock), so two processes' batches on one policy queue rather
    than deadlock.
    """
    _write_batch_in_transaction(database(), jobs)


def _write_joins(jobs: list[Job]) -> None:
    """Carry out the joins and connects that arrived together (any policies) in one
    transaction, each in a savepoint, so a crowd connecting and joining pays a few
    commits, not two each (on SQLite an fsync, with the process stopped). Replies
    leave after the commit. Each job's work is `(run, sid, payload, None)` and
    `run(db, sid, payload)` gives its reply (`_as_event`, `connect_in_batch`)."""
    _write_batch_in_transaction(database(), jobs, joining=True)


def _write_batch_in_transaction(db_, jobs: list[Job], *, joining: bool = False) -> None:
    alone = len(jobs) == 1
    for attempt in range(RETRIES):
        db = db_.session
        cut_off: list[str] = []
        try:
            if db.get_bind().dialect.name == "sqlite":
                db.connection().exec_driver_sql("BEGIN IMMEDIATE")
            elif not joining:
                oplog.lock(db, jobs[0].work[3])  # one policy per batch: its row first
            if not (alone or joining):
                events.begin_batch(db)  # the op log and history: one write each, at the end
            epoch = None if joining else credential_epoch.current(db)
            requests = _requests(db, [] if joining else jobs, look_up=attempt > 0)
            written = 0
            for job in jobs:
                fn, sid, payload, policy_id = job.work
                try:
                    with nullcontext() if alone else events.savepoint(db):
                        if joining:
                            job.reply = fn(db, sid, payload)
                        else:
                            ctx = batch_ctx(db, sid, epoch, policy_id)
                            if ctx.policy_id != policy_id:
                                raise NotFound("Join the policy again.", code="not_joined")
                            job.reply = _once(fn, ctx, payload, requests)
                    written += 1
                except clients.AlreadyDone as done:  # sent again: its first reply
                    job.reply = done.reply
                except (sync.SyncError, DomainError) as exc:
                    job.reply = _answer(exc, sid, cut_off)
                except (StaleWrite, OperationalError):
                    raise
                except Exception:  # a bug must not take the rest of the batch with it
                    log.exception("%s failed", getattr(fn, "__name__", fn))
                    job.reply = FAILED
            if written:
                try:
                    requests.write(db)  # the replies kept for resends, in one statement
                except IntegrityError as exc:  # sent again, or carried out meanwhile
                    # elsewhere: try again, looking the requests up this time
                    raise StaleWrite("a request of this batch was carried out") from exc
                db.commit()  # writes the kept ops and history (events.flush), then
                # the op log's after-commit event broadcasts, in order
            else:
                db.rollback()
            return
        except (StaleWrite, OperationalError) as exc:
            db.rollback()
            log.debug("retrying a batch of %d after %r", len(jobs), exc)
        finally:
            events.end_batch(db)
            db_.remove()
            _disconnect(cut_off)
    for job in jobs:
        job.reply = BUSY


FAILED = error_ack("server_error", "Something went wrong on the server. Your change was not saved.")
BUSY = error_ack("busy", "The server is busy. Your change was not saved; it will be sent again.")
QUEUE_FULL = error_ack(
    "busy", "Too many changes are waiting. Your change was not saved; send it again shortly."
)
_writer = GroupCommit(
    _write_batch, fallback=BUSY, refused=QUEUE_FULL, gather=lambda: socketio.sleep(0)
)
JOINS = "joins"  # one queue for every join in this process, whatever its policy
_joiner = GroupCommit(_write_joins, fallback=BUSY, gather=lambda: socketio.sleep(0))
