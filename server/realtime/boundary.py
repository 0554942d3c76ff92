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
from functools import wraps

from flask import current_app, request
from flask_socketio import disconnect
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
    db: Session
    sid: str
    conn: Connection
    user: User
    client_id: str | None


def error_ack(code: str, message: str, **details) -> dict:
    return {"ok": False, "error": {"code": code, "message": message, **details}}


def database():
    return current_app.extensions["codraft_db"]


def load_ctx(db: Session, sid: str) -> Ctx:
    """Who is on this socket, checked again now: a sign-out, a revoked token or a
    disabled account takes effect on the very next event."""
    found = presence.live_connection(db, sid, current_app.config["SESSION_IDLE"])
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
    """Register `fn(ctx, payload) -> reply` as the handler of a socket event."""
    loader = schema() if schema else None

    def decorate(fn: Callable) -> Callable:
        @wraps(fn)
        def handler(data=None):
            sid = request.sid
            if not buckets.allow(sid):
                return error_ack("rate_limited", "Too many changes at once. Slow down a little.")
            try:
                payload = loader.load(data if data is not None else {}) if loader else {}
            except ValidationError as exc:
                return error_ack("invalid", "Some fields are missing or not valid.",
                                 fields=exc.messages)
            except TypeError:
                return error_ack("invalid", "The message must be an object.")
            return _run(fn, sid, payload, policy_lock)

        socketio.on_event(name, handler)
        return handler

    return decorate


def _run(fn, sid: str, payload: dict, policy_lock: bool) -> dict:
    db_ = database()
    for _attempt in range(RETRIES):
        db = db_.session
        try:
            ctx = load_ctx(db, sid)
            lock = _policy_locks[ctx.conn.policy_id] if policy_lock and ctx.conn.policy_id \
                else None
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
            disconnect(sid)
            return error_ack(exc.code, exc.message)
        except DomainError as exc:
            db.rollback()
            return error_ack(exc.code, exc.message, **({"fields": exc.fields}
                                                        if exc.fields else {}))
        finally:
            db_.remove()
    return error_ack("busy", "The server is busy. Your change was not saved; it will be "
                             "sent again.")
