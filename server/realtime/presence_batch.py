"""Presence to a policy's room, coalesced: at most a few messages a second per room.

Each join, move or leave used to be sent to the whole room at once, so N people
joining cost N x N messages (500 clients took 17-22 s to connect and join; a bare
relay 1.4 s). Now a change is noted here (per room, the latest per socket wins)
and one background task per process sends what gathered every FLUSH_SECONDS: a
few changes as the `presence` or `presence_left` events they always were, more
as one `presence_batch` (docs/protocol.md). Joining costs one message per flush,
not one per person already there.

Who is already here reaches a socket that joined the same way (`welcome`): the
join reply used to list everyone, so N joins read, built and encoded N lists of
up to N people (at 500, 14 ms of encoding alone for the last reply). Now each
send reads the room's list once and sends it, encoded once, to all who joined
that room since the last send, as one `presence_batch` marked `everyone`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from server.extensions import socketio

log = logging.getLogger(__name__)
FLUSH_SECONDS = 0.25
ONE_BY_ONE = 3  # up to this many changes go as the single events clients always knew

_lock = threading.Lock()
_pending: dict[str, dict[str, dict | None]] = {}  # room -> sid -> present, or None: left
# room -> (a reader of everyone present there, the sockets that joined it since)
_welcome: dict[str, tuple[Callable[[], list[dict]], set[str]]] = {}
_scheduled = False


def changed(room: str, sid: str, present: dict | None) -> None:
    """Note that `sid` is now `present` in the policy's room (None: it left)."""
    with _lock:
        _pending.setdefault(room, {})[sid] = present
        _schedule()


def welcome(room: str, sid: str, everyone: Callable[[], list[dict]]) -> None:
    """Note that `sid` joined the room (its join committed): at the next send it
    gets `everyone()`, read then, with the others who joined the room meanwhile."""
    with _lock:
        _welcome.setdefault(room, (everyone, set()))[1].add(sid)
        _schedule()


def _schedule() -> None:
    """Start the next send unless one is due (called holding `_lock`)."""
    global _scheduled
    if not _scheduled:
        _scheduled = True
        socketio.start_background_task(_flush_later)


def _flush_later() -> None:
    global _scheduled
    socketio.sleep(FLUSH_SECONDS)
    with _lock:
        work, welcomes = dict(_pending), dict(_welcome)
        _pending.clear()
        _welcome.clear()
        _scheduled = False
    for room, changes in work.items():
        for event, payload in messages(changes):
            socketio.emit(event, payload, to=room)
    for room, (everyone, sids) in welcomes.items():
        _send_everyone(room, everyone, sids)


def _send_everyone(room: str, everyone: Callable[[], list[dict]], sids: set[str]) -> None:
    """Everyone present, read after every change sent above was committed, to the
    sockets that joined `room` and are still in it (not those that went on to
    another policy meanwhile)."""
    try:
        present = everyone()
    except Exception:  # a failed read must not stop presence for the other rooms
        log.exception("could not list who is in %s", room)
        return
    here = {sid for sid, _eio in socketio.server.manager.get_participants("/", room)}
    to = sorted(sids & here)
    if to:
        socketio.emit("presence_batch", {"present": present, "left": [], "everyone": True}, to=to)


def messages(changes: dict[str, dict | None]) -> list[tuple[str, dict]]:
    """The events (name, payload) that tell a room about `changes`."""
    if len(changes) <= ONE_BY_ONE:
        return [
            ("presence", present) if present is not None else ("presence_left", {"sid": sid})
            for sid, present in changes.items()
        ]
    return [
        (
            "presence_batch",
            {
                "present": [p for p in changes.values() if p is not None],
                "left": [sid for sid, p in changes.items() if p is None],
            },
        )
    ]
