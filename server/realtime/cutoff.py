"""Cutting off sockets by what the Socket.IO server knows, in every process.

Every socket enters rooms for its credential when it connects (`user:<id>`, and
`auth:<id>` for a browser sign-in or `token:<id>` for an API token) and one for
its membership when it joins a policy (`member:<group id>:<user id>`). Nothing a
client sends can take a socket out of those rooms. To cut sockets off, the
server emits `access_revoked` to the room; the client manager below then
disconnects that room's sockets in each process right after delivering it. With
a message queue (Redis) the emit reaches every process, so a revocation made in
one process ends the sockets connected to any other, without anyone having to
know their ids: a database row a client could make disappear plays no part.
"""

from __future__ import annotations

import socketio

from server.realtime.room_index import RoomIndex

ACCESS_REVOKED = "access_revoked"
# Rooms whose `access_revoked` ends their sockets (a policy room never does).
CREDENTIAL_ROOMS = ("user:", "auth:", "token:", "member:")


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def credential_room(auth_session_id: int | None, api_token_id: int | None) -> str:
    if auth_session_id is not None:
        return f"auth:{auth_session_id}"
    return f"token:{api_token_id}"


def member_room(group_id: int, user_id: int) -> str:
    return f"member:{group_id}:{user_id}"


class _CutsOff:
    """After `access_revoked` reaches a credential room here, disconnect its sockets
    (this process's only: each process does its own)."""

    def _cut_off_room(self, event, namespace, room) -> None:
        if event != ACCESS_REVOKED or room is None:
            return
        rooms = [room] if isinstance(room, str) else list(room)
        namespace = namespace or "/"
        for name in rooms:
            if not (isinstance(name, str) and name.startswith(CREDENTIAL_ROOMS)):
                continue
            for sid, _eio_sid in list(self.get_participants(namespace, name)):
                # Runs the disconnect handler (presence_left, the row deleted).
                self.server.disconnect(sid, namespace=namespace, ignore_queue=True)


class LocalManager(_CutsOff, RoomIndex, socketio.Manager):
    """One process, no queue."""

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, **kw):
        result = super().emit(
            event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kw
        )
        self._cut_off_room(event, namespace, kw.get("to") or room)
        return result


class _QueueCutsOff(_CutsOff):
    """A pub/sub manager: `_handle_emit` delivers an emit in this process, for one
    made here and for one that came through the queue from another process."""

    def _handle_emit(self, message):
        super()._handle_emit(message)
        self._cut_off_room(message.get("event"), message.get("namespace"), message.get("room"))


class RedisManager(_QueueCutsOff, RoomIndex, socketio.RedisManager):
    pass


class KombuManager(_QueueCutsOff, RoomIndex, socketio.KombuManager):
    pass


def client_manager(url: str | None, channel: str, *, write_only: bool = False):
    """The client manager for `socketio.init_app`: what Flask-SocketIO would pick for
    `url`, able to cut off rooms."""
    if not url:
        return LocalManager()
    if url.startswith(("redis://", "rediss://")):
        return RedisManager(url, channel=channel, write_only=write_only)
    return KombuManager(url, channel=channel, write_only=write_only)
