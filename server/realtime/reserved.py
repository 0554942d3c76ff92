"""Client events with a reserved or unknown name, or more than one argument, are
refused before any handler sees them.

python-socketio dispatches a client's EVENT packet by its name alone, so an
ordinary event called `disconnect` ran the disconnect handler of a socket that
stayed connected (its presence row deleted, the process's record of it gone,
while it kept receiving the policy's ops), and one called `connect` ran the
connect handler again with whatever "credential" came with it. The real
connect and disconnect arrive as CONNECT and DISCONNECT packets (or the
transport closing), never as events, so no client event may carry these names.

python-socketio sends no ack at all for an event nobody handles, and calling a
handler with a second argument raised a TypeError (no ack either): a client that
asked for an ack waited for its timeout. docs/protocol.md promises an `invalid`
ack for both.
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


def _refusal(message: str) -> dict:
    return {"ok": False, "error": {"code": "invalid", "message": message}}


REFUSED = _refusal("That event name is reserved (or not a name): a client cannot send it.")
UNKNOWN = _refusal("There is no event of that name. docs/protocol.md lists them.")
ONE_OBJECT = _refusal("Send one JSON object with the event, nothing more.")


def refusal(server, namespace: str, name, args: list) -> dict | None:
    """Why an event may not reach a handler, or None if it may."""
    if not isinstance(name, str) or name in RESERVED:
        return REFUSED
    if name not in server.handlers.get(namespace, {}):
        return UNKNOWN
    if len(args) > 1:
        return ONE_OBJECT
    return None


def guard(server) -> None:
    """Wrap the server's event dispatch: a refused event gets an error ack if the
    client asked for one, and changes nothing."""
    dispatch = server._handle_event
    if getattr(dispatch, "codraft_guard", False):
        return

    def _handle_event(eio_sid, namespace, id, data):
        name = data[0] if data else None
        why = refusal(server, namespace or "/", name, list(data[1:]) if data else [])
        if why is None:
            return dispatch(eio_sid, namespace, id, data)
        log.warning("refused a client event named %.40r", name)
        if id is not None:
            server._send_packet(
                eio_sid,
                server.packet_class(packet.ACK, namespace=namespace or "/", id=id, data=[why]),
            )
        return None

    _handle_event.codraft_guard = True
    server._handle_event = _handle_event
