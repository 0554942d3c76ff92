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

An event whose JSON cannot be read (nested deeper than Python's recursion limit,
or a lone surrogate escape such as "\\ud800", which decodes into a string that
cannot be stored) is refused the same way: `ReadingPacket` reads every packet
through the app's one safe JSON parser (server.json_input, as HTTP bodies are),
and an event it cannot read arrives here as `Unreadable`. Before, the first was
never answered (a RecursionError in python-socketio) and the second was answered
`server_error`, which no resend could cure.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from socketio import packet

from server import json_input

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


@dataclass(frozen=True)
class Unreadable:
    """An event packet whose JSON could not be read, and why (in place of its name)."""

    reason: str


class _SafeJson:
    """The json module as python-socketio's packets use it, reading through
    server.json_input."""

    loads = staticmethod(json_input.loads)
    dumps = staticmethod(json.dumps)


class ReadingPacket(packet.Packet):
    """python-socketio's packet, its JSON read safely: an event that cannot be read
    becomes an `Unreadable` event (answered `invalid` by `guard`, with the ack id
    already read from the packet's header); a connect's unreadable data counts as
    no credential."""

    json = _SafeJson

    def decode(self, encoded_packet):
        try:
            return super().decode(encoded_packet)
        except ValueError as exc:  # json.JSONDecodeError included
            if self.packet_type == packet.CONNECT:
                self.data = None
            elif self.packet_type == packet.EVENT:
                self.data = [Unreadable(getattr(exc, "msg", None) or str(exc))]
            else:
                raise
            return 0


def refusal(server, namespace: str, name, args: list) -> dict | None:
    """Why an event may not reach a handler, or None if it may."""
    if isinstance(name, Unreadable):
        return _refusal(f"The message could not be read as JSON: {name.reason}.")
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
    server.packet_class = ReadingPacket

    def _handle_event(eio_sid, namespace, id, data):
        name = data[0] if data else None
        why = refusal(server, namespace or "/", name, list(data[1:]) if data else [])
        if why is None:
            return dispatch(eio_sid, namespace, id, data)
        log.warning("refused a client event named %.60r", name)
        if id is not None:
            server._send_packet(
                eio_sid,
                server.packet_class(packet.ACK, namespace=namespace or "/", id=id, data=[why]),
            )
        return None

    _handle_event.codraft_guard = True
    server._handle_event = _handle_event
