"""The boundary every socket event passes through.

It does for a socket event what Flask does for a request, since Flask-SocketIO
runs no before_request: flood control, payload validation, re-authentication
of the socket's credential, one transaction, errors as acks. Changes to one
policy are serialised in this process (and by the op log's row in the
database across processes) so broadcasts leave in commit order.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, wraps

from flask import current_app
from marshmallow import Schema, ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from server import sync
from server.accounts.models import User
from server.editing.services import StaleWrite
from server.errors import DomainError, NotAuthenticated
from server.extensions import socketio
from server.presence import services as presence
from server.presence.models import Connection
from server.realtime.limits import buckets

log = logging.getLogger(__name__)
RETRIES = 8
_policy_locks: dict[int, threading.Lock] = defaultdict(threading.Lock)


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


def load_ctx(db: Session, sid: str) -> Ctx:
    """Who is on this socket, checked again now: a sign-out, a revoked token or a
    disabled account takes effect on the very next event (one query; see
    presence.live_user for why nothing of it is kept between events)."""
    found = presence.live_user(db, sid, current_app.config["SESSION_IDLE"])
    if found is None:
        raise NotAuthenticated("Your sign-in has ended. Sign in again.", code="signed_out")
    return Ctx(db, sid, found[0], found[1], _client_ids.get(sid))


_client_ids: dict[str, str] = {}  # sid -> client_id given at join (this process's sockets)


def remember_client(sid: str, client_id: str | None) -> None:
    if client_id is None:
        _client_ids.pop(sid, None)
    else:
        _client_ids[sid] = client_id


def socket_event(name: str, schema: type[Schema] | None = None, *,
                 policy_lock: bool = False) -> Callable:
    """Register `fn(ctx, payload) -> reply` as the handler of a socket event.

    It is registered on python-socketio's server itself (`socketio.server.on`), not
    through Flask-SocketIO's `on`: that one builds a Flask request context for every
    event, which opens (decodes and verifies) the session cookie and matches the URL
    again, on the live edit path, for state no handler here may use (the session is
    a copy taken at connect). The handler runs in an app context only: it gets the
    socket id as an argument, and uses `enter_room` / `leave_room` below rather than
    flask_socketio's, which read `flask.request`. `connect` and `disconnect` still go
    through Flask-SocketIO: they need the cookie and the headers.
    """
    loader = schema() if schema else None

    def decorate(fn: Callable) -> Callable:
        @wraps(fn)
        def handler(sid: str, data=None):
            if not buckets.allow(sid):
                return error_ack("rate_limited", "Too many changes at once. Slow down a little.")
            try:
                payload = loader.load(data if data is not None else {}) if loader else {}
            except ValidationError as exc:
                return error_ack("invalid", "Some fields are missing or not valid.",
                                 fields=exc.messages)
            except TypeError:
                return error_ack("invalid", "The message must be an object.")
            environ = socketio.server.get_environ(sid)
            if not environ:
                return None  # the socket has gone
            with environ["flask.app"].app_context():
                return _run(fn, sid, payload, policy_lock)

        if socketio.server is None:
            raise RuntimeError("socket events are registered after socketio.init_app")
        socketio.server.on(name, handler)
        return handler

    return decorate


def enter_room(sid: str, name: str) -> None:
    socketio.server.enter_room(sid, name, namespace="/")


def leave_room(sid: str, name: str) -> None:
    socketio.server.leave_room(sid, name, namespace="/")


def _run(fn, sid: str, payload: dict, policy_lock: bool) -> dict:
    db_ = database()
    for _attempt in range(RETRIES):
        db = db_.session
        try:
            ctx = load_ctx(db, sid)
            lock = _policy_locks[ctx.policy_id] if policy_lock and ctx.policy_id else None
            if lock is None:
                reply = fn(ctx, payload)
                db.commit()
                return reply
            with lock:
                reply = fn(ctx, payload)
                db.commit()  # the op log's after-commit event broadcasts, still in order
                return reply
        except (StaleWrite, OperationalError) as exc:
            db.rollback()
            log.debug("retrying %s after %r", fn.__name__, exc)
            continue
        except sync.SyncError as exc:
            db.rollback()
            return exc.ack()
        except NotAuthenticated as exc:
            db.rollback()
            socketio.server.disconnect(sid, namespace="/")
            return error_ack(exc.code, exc.message)
        except DomainError as exc:
            db.rollback()
            return error_ack(exc.code, exc.message, **({"fields": exc.fields}
                                                        if exc.fields else {}))
        finally:
            db_.remove()
    return error_ack("busy", "The server is busy. Your change was not saved; it will be "
                             "sent again.")
