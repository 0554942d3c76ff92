"""Which rooms each socket is in, kept as it enters and leaves them.

python-socketio answers "which rooms is this socket in" (`Server.rooms`) by walking
every room of the process. Each socket has three of its own (its id, its person, its
credential), so with N sockets connected that walk is O(N), and a join asks it (to
leave the policy it watched before): N people joining cost O(N²). The client
managers (realtime.cutoff) keep this index instead, so the answer costs the
socket's own few rooms.
"""

from __future__ import annotations


class RoomIndex:
    """A mixin for a python-socketio client manager: `get_rooms` from an index of
    (namespace, sid) -> rooms, kept by `basic_enter_room` and `basic_leave_room`,
    through which every way in and out of a room goes (disconnect included)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._rooms_of: dict[tuple[str, str], set[str]] = {}

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        if room is not None:  # None: the namespace's list of connected sockets
            self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid, namespace, room):
        super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._rooms_of[(namespace, sid)]

    def get_rooms(self, sid, namespace):
        return sorted(self._rooms_of.get((namespace, sid), ()))
