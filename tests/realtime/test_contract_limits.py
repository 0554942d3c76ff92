"""docs/protocol.md read end to end against the handlers: the mismatches found, each
checked from outside with a real Socket.IO client against `codraft serve`.

- An event name the server does not know, or an event with more than one argument,
  got no ack at all (the client waited for its timeout): now `invalid`.
- The 512 KiB message limit, exactly: what counts, where it cuts, what the client sees.
- The limits of `insert_section` (title, text), which the page did not state.
"""

from __future__ import annotations

import json
import queue
import threading

import pytest
import socketio

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
    for name in ("leave_policy", "unwatch_group"):  # they take no fields, and say so
        for payload in ({"x": 1}, [1]):
            reply = alice.call(name, payload, timeout=5)
            assert reply["ok"] is False and reply["error"]["code"] == "invalid", (name, reply)
    assert alice.call("presence", {"section_id": world["section"].id}) == {"ok": True}  # joined
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


def _refused_with(server, auth) -> str | None:
    """The code of the CONNECT_ERROR a connect with `auth` gets (None: none came)."""
    seen: list = []
    sio = socketio.Client(reconnection=False)
    sio.on("connect_error", seen.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(server.url, auth=auth, transports=["websocket"], wait_timeout=10)
    return seen[0]["data"]["code"] if seen else None


def test_a_token_that_is_not_text_is_refused_and_takes_no_one_else_down(world, connect, server):
    """`auth.token` of 5, a list or an object got no CONNECT_ERROR, and failed the
    whole batch of connects it arrived with: people connecting at that moment got
    no answer or `busy`. Now it is refused like a wrong token, and the others in
    its batch connect."""
    log = server.instance / f"server-{server.port}.log"
    tracebacks = log.read_text(errors="replace").count("Traceback")
    for bad in (5, ["x"], {"a": 1}):
        assert _refused_with(server, {"token": bad}) == "not_authenticated", bad
    good, refused = [], []

    def one(token):
        if token is None:
            refused.append(_refused_with(server, {"token": 5}))
        else:
            good.append(connect(token))

    tokens = [world["tokens"]["alice"]] * 8 + [None] * 3
    threads = [threading.Thread(target=one, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(good) == 8 and refused == ["not_authenticated"] * 3, refused
    assert all(c.join(world["policy"].id)["ok"] for c in good)
    assert log.read_text(errors="replace").count("Traceback") == tracebacks


def test_json_that_cannot_be_read_is_answered_invalid_and_changes_nothing(world, connect, server):
    """Nesting deeper than Python can read was never answered, and a lone surrogate
    ("\\ud800") was answered `server_error`, which no resend cures: both are `invalid`,
    as the HTTP API refuses them (docs/protocol.md)."""
    alice = connect(world["tokens"]["alice"])
    alice.join(world["policy"].id)
    section_id = world["section"].id
    lone = alice.call(
        "insert_sentence",
        {"section_id": section_id, "text": "Half \ud800 a.", "place": {"at": "end"}},
    )
    assert lone["ok"] is False and lone["error"]["code"] == "invalid", lone
    assert "lone surrogate" in lone["error"]["message"]
    again = alice.call(
        "join_policy", {"policy_id": world["policy"].id, "client_id": "ab\ud800cdefgh"}
    )
    assert again["ok"] is False and again["error"]["code"] == "invalid", again
    # Too deep: sent as a raw packet, since no JSON library writes it; the ack comes
    # back to an id this test registers.
    answers: queue.Queue = queue.Queue()
    alice.sio.callbacks.setdefault("/", {})[900] = lambda *reply: answers.put(reply)
    deep = "[" * 5000 + "]" * 5000
    alice.sio.eio.send(f'2900["presence",{{"section_id":{section_id},"x":{deep}}}]')
    reply = answers.get(timeout=10)[0]
    assert reply["ok"] is False and reply["error"]["code"] == "invalid", reply
    assert "nested too deeply" in reply["error"]["message"]
    assert alice.call("presence", {"section_id": section_id}) == {"ok": True}  # still open
    assert len(read_text(server, world["tokens"]["alice"], section_id)) == 3
