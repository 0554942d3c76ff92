"""Client events with a reserved name are refused before any handler sees them.

python-socketio dispatches a client's EVENT packet by its name alone, so an
ordinary event called `disconnect` ran the disconnect handler of a socket that
stayed connected (its presence row deleted, the process's record of it gone,
while it kept receiving the policy's ops), and one called `connect` ran the
connect handler again with whatever "credential" came with it. The real
connect and disconnect arrive as CONNECT and DISCONNECT packets (or the
transport closing), never as events, so no client event may carry these names.
"""

from __future__ import annotations

import logging

from socketio import packet

log = logging.getLogger(__name__)

# Socket.IO's reserved names (connect, connect_error, disconnect, disconnecting,
# newListener, removeListener) and Flask-SocketIO's (message, json: `send`).
RESERVED = frozenset(
    {
        "connect",
        "connect_error",
        "disconnect",
        "disconnecting",
        "newListener",
        "removeListener",
        "message",
        "json",
    }
)


REFUSED = {
    "ok": False,
    "error": {
        "code": "invalid",
        "message": "That event name is reserved (or not a name): a client cannot send it.",
    },
}


def guard(server) -> None:
    """Wrap the server's event dispatch: a reserved (or non-string) event name gets
    an error ack if the client asked for one, and changes nothing."""
    dispatch = server._handle_event
    if getattr(dispatch, "codraft_guard", False):
        return

    def _handle_event(eio_sid, namespace, id, data):
        name = data[0] if data else None
        if isinstance(name, str) and name not in RESERVED:
            return dispatch(eio_sid, namespace, id, data)
        log.warning("refused a client event named %.40r", name)
        if id is not None:
            server._send_packet(
                eio_sid,
                server.packet_class(packet.ACK, namespace=namespace or "/", id=id, data=[REFUSED]),
            )
        return None

    _handle_event.codraft_guard = True
    server._handle_event = _handle_event
