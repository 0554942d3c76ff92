"""A socket that stops reading holds nobody up, and loses nothing.

`codraft serve` writes each packet straight to its socket when nothing is queued
for it (server/realtime/fanout.py), and leaves the rest of a frame that did not fit
to a greenlet of its own. Here one client joins over a raw websocket with a tiny
receive buffer and then stops reading, while twenty sockets type into long sentences:
more bytes of ops than the kernel can hold for it (the server's send buffer is at
most tcp_wmem's largest size), so the server must hold part of a frame and keep its
next packets behind it. The people reading keep receiving every op at once, in
order between their acks; when the stalled client reads again it gets every op, in
seq order, none twice, each frame whole.
"""

from __future__ import annotations

import json
import random
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest
import websocket

from tests.conftest import LiveServer
from tests.realtime.conftest import patch, start_patiently

SEED = 20261204
SOCKETS = 20
PACE = 1 / 35  # seconds between one socket's edits: the server allows 40 a second
SENTENCE = "word " * 380  # about 1,900 characters: each op carries the whole text


def _kernel_holds() -> int:
    """The most a stalled connection can hold in the kernel: the server's largest
    send buffer, with room to spare for the client's receive side."""
    try:
        largest = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
    except (OSError, ValueError, IndexError):
        largest = 4 * 1024 * 1024
    return largest + 1024 * 1024


class Raw:
    """A Socket.IO client written from docs/protocol.md over a raw websocket: it can
    stop reading (python-socketio's client always reads), and it reads the ops it
    does not need cheaply (python-socketio's hands each to a thread)."""

    def __init__(self, url: str, token: str, *, receive_buffer: int | None = None):
        address = url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        options = ((socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer),)
        self.ws = websocket.create_connection(
            address,
            timeout=30,
            sockopt=options if receive_buffer else (),
            skip_utf8_validation=True,  # in pure Python it is the slowest part here
        )
        self.acks = 0
        self.seqs: list[int] = []  # the ops passed over while waiting for acks
        assert self.ws.recv().startswith("0")  # engine.io open
        self.ws.send("40" + json.dumps({"token": token}))
        assert self.next_socketio().startswith("0")  # Socket.IO connected

    def next_socketio(self) -> str:
        """The next Socket.IO packet, answering engine.io's pings on the way."""
        while True:
            frame = self.ws.recv()
            if frame == "2":
                self.ws.send("3")
                continue
            assert frame.startswith("4"), frame
            return frame[1:]

    def call(self, event: str, data: dict) -> dict:
        """Send an event and wait for its ack, passing over everything else."""
        self.acks += 1
        ack = str(self.acks)
        self.ws.send("42" + ack + json.dumps([event, data]))
        while True:
            packet = self.next_socketio()
            if packet.startswith("3" + ack + "["):
                return json.loads(packet[1 + len(ack) :])[0]
            if packet.startswith('2["op",'):
                self.seqs.append(json.loads(packet[1:])[1]["seq"])

    def join(self, policy_id: int) -> dict:
        return self.call("join_policy", {"policy_id": policy_id, "client_id": uuid.uuid4().hex})

    def ops_until(self, last_seq: int, timeout: float) -> tuple[list[int], int]:
        """Read until the op numbered `last_seq`: the seqs of every op, and the bytes."""
        seqs, size, deadline = [], 0, time.monotonic() + timeout
        while not seqs or seqs[-1] < last_seq:
            assert time.monotonic() < deadline, f"stopped at {seqs[-1:]} of {last_seq}"
            packet = self.next_socketio()
            size += len(packet)
            if packet.startswith("2"):
                name, body = json.loads(packet[1:])
                if name == "op":
                    seqs.append(body["seq"])
        return seqs, size


@pytest.fixture
def server(instance):
    """Without live hints: only ops fill the stalled socket, and sooner."""
    live = start_patiently(LiveServer(instance, env={"CODRAFT_LIVE_HINTS": "0"}))
    yield live
    live.stop()


def test_a_socket_that_stops_reading_holds_nobody_up_and_loses_nothing(make, server, connect):
    facilitator = make.user("Fatima", "fac@example.org")
    group = make.group(facilitator)
    alice = make.user("Alice", "alice@example.org")
    sub = make.subgroup(group, "Writers", [make.member(group, alice)])
    policy = make.policy(group, facilitator)
    make.section(
        policy.parts[0], facilitator, sub, "Long", " ".join([SENTENCE.strip() + "."] * SOCKETS)
    )
    token = make.token(alice)

    stalled = Raw(server.url, token, receive_buffer=4096)
    start = stalled.join(policy.id)["seq"]
    # from here the stalled client reads nothing until every edit is acked
    reader = connect(token)
    sentences = reader.join(policy.id)["sections"][0]["sentences"]
    assert len(sentences) == SOCKETS
    typists = [Raw(server.url, token) for _ in range(SOCKETS)]
    for typist in typists:
        assert typist.join(policy.id)["ok"]
    acked: list[int] = []
    lock = threading.Lock()
    last_ack_at: list[float] = []
    refused: list[dict] = []

    def type_into(typist: Raw, sentence: dict, rng: random.Random, edits: int) -> None:
        text, version = sentence["text"], sentence["version"]
        due = time.monotonic()
        for ref in range(1, edits + 1):
            due += PACE
            time.sleep(max(0.0, due - time.monotonic()))
            at = rng.randrange(len(text))
            new = text[:at] + rng.choice("abcdefgh".replace(text[at], "")) + text[at + 1 :]
            change = {"id": sentence["id"], "base_version": version, "patch": patch(text, new)}
            reply = typist.call("edit_sentence", {**change, "ref": ref})
            while not reply["ok"] and reply["error"]["code"] in ("busy", "rate_limited"):
                time.sleep(0.1)  # as docs/protocol.md says: send it again
                reply = typist.call("edit_sentence", {**change, "ref": ref})
            if not reply["ok"]:
                refused.append(reply)
                return
            text, version = new, version + 1
            with lock:
                acked.append(reply["seq"])
                last_ack_at[:] = [time.monotonic()]

    edits = _kernel_holds() // (len(SENTENCE) * SOCKETS) + 1
    threads = [
        threading.Thread(target=type_into, args=(t, s, random.Random(SEED + i), edits), daemon=True)
        for i, (t, s) in enumerate(zip(typists, sentences, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
        assert not thread.is_alive(), "the typing did not finish"
    assert not refused
    last = max(acked)
    assert sorted(acked) == list(range(start + 1, last + 1))

    # Each typist read its ops in order, between its acks.
    for typist in typists:
        assert typist.seqs == list(range(typist.seqs[0], typist.seqs[-1] + 1))
    # Those reading got everything at once: the stalled socket held nobody up.
    deadline = last_ack_at[0] + 5
    while (not reader.ops or reader.ops[-1]["seq"] < last) and time.monotonic() < deadline:
        time.sleep(0.01)
    # python-socketio's client hands each message to a thread of its own, so the
    # order they are appended in is the threads'; the raw client below checks order.
    assert sorted(op["seq"] for op in reader.ops) == list(range(start + 1, last + 1))

    # The stalled socket, reading again, gets every op once, in order, frames whole.
    seqs, size = stalled.ops_until(last, timeout=60)
    assert seqs == list(range(start + 1, last + 1))
    assert size > _kernel_holds(), "not enough was sent to fill the kernel's buffers"
    for client in (stalled, *typists):
        client.ws.close()
