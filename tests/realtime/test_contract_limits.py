"""docs/protocol.md read end to end against the handlers: the mismatches found, each
checked from outside with a real Socket.IO client against `codraft serve`.

- An event name the server does not know, or an event with more than one argument,
  got no ack at all (the client waited for its timeout): now `invalid`.
- The 512 KiB message limit, exactly: what counts, where it cuts, what the client sees.
- The limits of `insert_section` (title, text), which the page did not state.
"""

from __future__ import annotations

import json

import pytest

from server.policies.services import MAX_PASTE_CHARS
from tests.realtime.test_sockets import first_sentence, read_text

LIMIT = 512 * 1024  # characters of one WebSocket message: "4" + the Socket.IO packet


def _message_length(event: str, payload: dict) -> int:
    """What the server counts for an emit without an ack: Engine.IO's "4", Socket.IO's
    "2", then the JSON array as python-socketio writes it."""
    return 2 + len(json.dumps([event, payload], separators=(",", ":")))


def _payload_of_length(section_id: int, length: int) -> dict:
    payload = {"section_id": section_id, "text": "", "place": {"at": "end"}}
    payload["text"] = "x" * (length - _message_length("insert_sentence", payload))
    assert _message_length("insert_sentence", payload) == length
    return payload


def test_unknown_events_and_extra_arguments_are_answered_invalid(world, connect, server):
    alice = connect(world["tokens"]["alice"])
    joined = alice.join(world["policy"].id)
    for name in ("no_such_event", "Edit_sentence", "op", "access_revoked"):
        reply = alice.call(name, {}, timeout=5)
        assert reply["ok"] is False and reply["error"]["code"] == "invalid", (name, reply)
    s = first_sentence(joined)
    two = alice.call("delete_sentence", ({"id": s["id"], "base_version": 1}, {"x": 1}), timeout=5)
    assert two["ok"] is False and two["error"]["code"] == "invalid", two
    assert len(read_text(server, world["tokens"]["alice"], world["section"].id)) == 3
    assert alice.call("presence", {"section_id": world["section"].id}) == {"ok": True}


def test_a_message_of_exactly_512_kib_is_read_and_one_character_more_closes(world, connect, server):
    """The limit counts the characters of the WebSocket message as sent; at the limit
    the message is read (and refused by the field's own limit, so nothing changes);
    one character more and the server closes the connection: the client sees
    `disconnect` with reason "transport close", and may connect again at once."""
    section_id = world["section"].id
    alice = connect(world["tokens"]["alice"])
    joined = alice.join(world["policy"].id)
    reasons: list = []
    alice.sio.on("disconnect", lambda *a: (reasons.append(a), alice.disconnected.set()))

    alice.sio.emit("insert_sentence", _payload_of_length(section_id, LIMIT))
    assert alice.call("presence", {"section_id": section_id}) == {"ok": True}  # still open
    assert not alice.disconnected.is_set()

    alice.sio.emit("insert_sentence", _payload_of_length(section_id, LIMIT + 1))
    assert alice.disconnected.wait(10), "the connection stayed open"
    assert reasons and reasons[0] and reasons[0][0] == "transport error", reasons
    assert len(read_text(server, world["tokens"]["alice"], section_id)) == 3
    again = connect(world["tokens"]["alice"])
    assert again.join(world["policy"].id)["seq"] == joined["seq"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "T" * 301), ("title", ""), ("text", "Word. " * (MAX_PASTE_CHARS // 6 + 1))],
)
def test_insert_section_limits_are_the_documented_ones(world, connect, field, value):
    fatima = connect(world["tokens"]["fatima"])
    joined = fatima.join(world["policy"].id)
    body = {
        "part_id": world["policy"].parts[0].id,
        "title": "A new section",
        "subgroup_id": world["sub"].id,
        "place": {"at": "end"},
        field: value,
    }
    reply = fatima.call("insert_section", body)
    assert reply["ok"] is False and reply["error"]["code"] == "invalid", reply
    assert field in reply["error"]["fields"], reply
    assert fatima.join(world["policy"].id)["seq"] == joined["seq"]


def test_over_long_polling_a_post_over_512_kib_is_refused_and_the_client_drops(world, server):
    """The same limit over HTTP long-polling, in bytes of the POST body."""
    import socketio

    from tests.realtime.conftest import Live

    class Polling(Live):
        def __init__(self, url, token):
            self.sio = socketio.Client(reconnection=False)
            self.disconnected = __import__("threading").Event()
            self.reasons: list = []
            self.sio.on("disconnect", lambda *a: (self.reasons.append(a), self.disconnected.set()))
            self.sio.connect(url, auth={"token": token}, transports=["polling"], wait_timeout=10)

    alice = Polling(server.url, world["tokens"]["alice"])
    try:
        alice.sio.emit("insert_sentence", _payload_of_length(world["section"].id, LIMIT + 10))
        assert alice.disconnected.wait(15), "the client stayed connected"
        assert len(read_text(server, world["tokens"]["alice"], world["section"].id)) == 3
        # whichever the client notices first: the refused POST or the ended session
        assert alice.reasons[0][0] in {"server disconnect", "transport error"}, alice.reasons
    finally:
        alice.close()
