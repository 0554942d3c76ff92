"""Presence to a policy's room, coalesced: at most a few messages a second per room.

Each join, move or leave used to be sent to the whole room at once, so N people
joining cost N x N messages (500 clients took 17-22 s to connect and join; a bare
relay 1.4 s). Now a change is noted here (per room, the latest per socket wins)
and one background task per process sends what gathered every FLUSH_SECONDS: a
few changes as the `presence` or `presence_left` events they always were, more
as one `presence_batch` (docs/protocol.md). Joining costs one message per flush,
not one per person already there.
"""

from __future__ import annotations

import threading

from server.extensions import socketio

FLUSH_SECONDS = 0.25
ONE_BY_ONE = 3  # up to this many changes go as the single events clients always knew

_lock = threading.Lock()
_pending: dict[str, dict[str, dict | None]] = {}  # room -> sid -> present, or None: left
_scheduled = False


def changed(room: str, sid: str, present: dict | None) -> None:
    """Note that `sid` is now `present` in the policy's room (None: it left)."""
    global _scheduled
    with _lock:
        _pending.setdefault(room, {})[sid] = present
        if _scheduled:
            return
        _scheduled = True
    socketio.start_background_task(_flush_later)


def _flush_later() -> None:
    global _scheduled
    socketio.sleep(FLUSH_SECONDS)
    with _lock:
        work = dict(_pending)
        _pending.clear()
        _scheduled = False
    for room, changes in work.items():
        for event, payload in messages(changes):
            socketio.emit(event, payload, to=room)


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
