"""Writing each packet straight to its socket, a broadcast's frame built once.

Why: an op goes to everyone in the policy, and engine.io's path for each recipient
is long: the packet is put on that socket's queue, its writer greenlet is woken
(a switch through the hub), it takes the packet with a timed `get` (a gevent
Timeout made and cancelled), encodes it, builds the websocket frame and writes it.
For 50 people that path was most of the server's CPU per edit: a bare relay,
which does nothing else, spent 1.3 ms per edit on it (docs/performance.md).

python-socketio already encodes a broadcast once (one engine.io packet for every
recipient). Here the websocket frame is built once from it too, and written to
each socket at once, with a write that does not wait, when nothing can come
before it on that socket:
- the socket is on websocket, not upgrading, not closed, and still answering pings;
- nothing waits in its engine.io queue;
- its writer is not writing: every frame, from its writer or from here, is written
  holding the socket's lock (`_LockedWebSocket`), and the lock is only tried here.
Otherwise the packet goes engine.io's way, onto the queue, behind what is there, so
each socket still gets its packets in the order they were sent. A write that
finishes only part of a frame (the socket's buffer is full: a slow reader) leaves
the rest to a greenlet that keeps the lock until it is written, so nobody waits for
a slow reader and nothing else is written to that socket in between.

Acks and other single packets take the same way: they are each socket's packets too.

Only under gevent with gevent-websocket (`codraft serve`); elsewhere nothing
changes. It leans on a few names inside engine.io (the server's `sockets`, `_async`
and `send_packet`; a socket's `queue`, `upgraded`, `upgrading`, `closed` and
`check_ping_timeout`) and gevent-websocket (`stream.handler.socket`). Every live
test runs through it, tests/realtime/test_slow_reader.py through the partial
write, so a release that changes them fails the suite rather than a meeting.
"""

from __future__ import annotations

import gevent
from engineio import packet as eio_packet
from engineio.async_drivers import gevent as eio_gevent
from gevent.lock import Semaphore
from geventwebsocket.websocket import Header, WebSocket

_TEXT = WebSocket.OPCODE_TEXT


class _LockedWebSocket(eio_gevent.WebSocketWSGI):
    """engine.io's gevent websocket, writing each frame holding the socket's lock,
    and known to its engine.io socket (`codraft_ws`) so `send_packet` finds it."""

    def __init__(self, handler, server):
        super().__init__(handler, server)
        self.lock = Semaphore()
        owner = getattr(handler, "__self__", None)  # the engine.io socket
        if owner is not None:
            owner.codraft_ws = self

    def send(self, message):
        with self.lock:
            return super().send(message)


class _Frames:
    """The frame of the packet being broadcast: python-socketio hands every
    recipient the same packet object, so the last one is the one to reuse."""

    __slots__ = ("packet", "frame")

    def __init__(self) -> None:
        self.packet = None
        self.frame = b""

    def of(self, pkt) -> bytes | None:
        if pkt is self.packet:
            return self.frame
        if pkt.packet_type != eio_packet.MESSAGE or pkt.binary:
            return None
        payload = pkt.encode().encode("utf-8")
        self.packet = pkt
        self.frame = Header.encode_header(True, _TEXT, b"", len(payload), 0) + payload
        return self.frame


def install(sio_server) -> None:
    """Send every engine.io packet of the server this way (gevent only): python-socketio
    hands broadcasts (`_send_eio_packet`) and single packets such as acks (`eio.send`)
    to engine.io's `send_packet`."""
    eio = sio_server.eio
    if eio.async_mode != "gevent" or eio_gevent.SimpleWebSocketWSGI is not None:
        return
    eio._async = {**eio._async, "websocket": _LockedWebSocket}
    frames = _Frames()
    queued = eio.send_packet  # engine.io's way

    def send_packet(eio_sid, pkt) -> None:
        sock = eio.sockets.get(eio_sid)
        ws = getattr(sock, "codraft_ws", None)
        if ws is None or not _nothing_before(sock) or not ws.lock.acquire(blocking=False):
            return queued(eio_sid, pkt)
        rest = None
        try:
            rest = _write_now(sock, ws, frames.of(pkt))
        finally:
            if rest:
                gevent.spawn(_finish, ws, rest)  # keeps the lock until written
            else:
                ws.lock.release()
        if rest is None:
            queued(eio_sid, pkt)

    eio.send_packet = send_packet


def _nothing_before(sock) -> bool:
    """Whether a packet written now would be the socket's next: it is on websocket,
    open, and has nothing waiting in its queue."""
    return sock.upgraded and not sock.upgrading and not sock.closed and sock.queue.empty()


def _write_now(sock, ws: _LockedWebSocket, frame: bytes | None) -> bytes | None:
    """Write `frame` without waiting (the socket's lock held): b"" once all of it is
    written, the part not written yet, or None if none of it could be written here
    (not a text frame, the socket closing or gone quiet: engine.io's way decides)."""
    if frame is None or ws._sock.closed or not sock.check_ping_timeout():
        return None
    try:
        sent = ws._sock.stream.handler.socket.send(frame, 0, timeout=0.0)
    except BlockingIOError:
        sent = 0
    except OSError:
        return None  # gone: engine.io's writer finds that out and closes the socket
    return frame[sent:]


def _finish(ws: _LockedWebSocket, rest: bytes) -> None:
    """Write the rest of a frame, then let the socket's writer go on."""
    try:
        ws._sock.stream.handler.socket.sendall(rest)
    except (OSError, AttributeError):
        pass  # the socket closed meanwhile (its stream is gone): its reader ends it
    finally:
        ws.lock.release()
