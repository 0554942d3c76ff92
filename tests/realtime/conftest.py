"""Real python-socketio clients against a real server process."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import socketio
from diff_match_patch import diff_match_patch

from tests.conftest import LiveServer, wait_for_port

dmp = diff_match_patch()


def patch(before: str, after: str) -> str:
    return dmp.patch_toText(dmp.patch_make(before, after))


class Live:
    """A socket client that records what the server pushes."""

    def __init__(self, url: str, token: str | None = None, headers: dict | None = None):
        self.sio = socketio.Client(reconnection=False)
        self.ops: list[dict] = []
        self.presence: list[dict] = []
        self.rights: list[dict] = []
        self.revoked: list[dict] = []
        self.disconnected = threading.Event()
        self.client_id = uuid.uuid4().hex
        self.everyone: list[dict] | None = None  # who is here, as sent after the last join
        self.welcomed = threading.Event()
        self.sio.on("op", self.ops.append)
        self.sio.on("presence", self.presence.append)
        self.sio.on("presence_batch", self._presence_batch)
        self.sio.on("rights", self.rights.append)
        self.sio.on("access_revoked", self.revoked.append)
        self.sio.on("disconnect", lambda *a: self.disconnected.set())
        self.sio.connect(
            url,
            auth={"token": token} if token else None,
            headers=headers or {},
            transports=["websocket"],
            wait_timeout=10,
        )

    def cut_off(self, timeout: float = 10) -> list[dict]:
        """Wait for this socket to be cut off; its `access_revoked` events. The client
        library hands each message to a thread of its own, so under load the event
        can be handled just after the disconnect that followed it: wait for both."""
        assert self.disconnected.wait(timeout), "the socket was not cut off"
        deadline = time.monotonic() + 5
        while not self.revoked and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.revoked

    def _presence_batch(self, batch: dict) -> None:
        if batch.get("everyone"):
            self.everyone = batch["present"]
            self.welcomed.set()
        else:
            self.presence.extend(batch["present"])

    def here(self, timeout: float = 10) -> list[dict]:
        """Who is here, as the server tells a socket after its join (a
        `presence_batch` with `everyone`, docs/protocol.md)."""
        assert self.welcomed.wait(timeout), "nobody said who is here after the join"
        return self.everyone

    def call(self, event: str, data=None, timeout: float = 10):
        return self.sio.call(event, data, timeout=timeout)

    def call_unless_cut_off(self, event: str, data=None, timeout: float = 10) -> dict | None:
        """The reply, or None once the server closes this socket first. A plain
        `call` on a socket the server has just closed waits its whole timeout
        (10 s) before it raises; this returns as soon as either comes."""
        replied = threading.Event()
        reply: list = []

        def answer(*args):
            reply.append(args[0] if args else None)
            replied.set()

        try:
            self.sio.emit(event, data, callback=answer)
        except socketio.exceptions.SocketIOError:
            return None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if replied.wait(0.02):
                return reply[0]
            if self.disconnected.is_set():
                return reply[0] if replied.is_set() else None
        raise TimeoutError(f"no reply to {event} and the socket stayed open")

    def call_past_busy(self, event: str, data=None, tries: int = 40) -> dict:
        """Send again after `busy`, as docs/protocol.md tells a program to: under
        load a change is refused with `busy` before anything else is checked."""
        for _ in range(tries):
            reply = self.call(event, data)
            if reply.get("ok") or reply["error"]["code"] != "busy":
                return reply
            time.sleep(0.5)
        return reply

    def join(self, policy_id: int, since: int | None = None) -> dict:
        payload = {"policy_id": policy_id, "client_id": self.client_id}
        if since is not None:
            payload["since"] = since
        self.welcomed.clear()  # who is here may come before the reply: clear first
        return self.call("join_policy", payload)

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture
def world(make):
    return build_world(make)


def build_world(make) -> dict:
    """A group with an owning sub-group (two editors), a watcher outside it, and a
    policy with one section of three sentences."""
    facilitator = make.user("Fatima", "fac@example.org")
    group = make.group(facilitator)
    alice, bob, carol = (
        make.user(n, f"{n.lower()}@example.org") for n in ("Alice", "Bob", "Carol")
    )
    ma, mb = make.member(group, alice), make.member(group, bob, "education")
    make.member(group, carol, "health")
    sub = make.subgroup(group, "Writers", [ma, mb])
    policy = make.policy(group, facilitator)
    section = make.section(
        policy.parts[0],
        facilitator,
        sub,
        "Budgets",
        "You can ask for a budget. We will answer in four weeks. You can appeal.",
    )
    return {
        "group": group,
        "policy": policy,
        "section": section,
        "sub": sub,
        "users": {"fatima": facilitator, "alice": alice, "bob": bob, "carol": carol},
        "tokens": {
            name: make.token(user)
            for name, user in {
                "fatima": facilitator,
                "alice": alice,
                "bob": bob,
                "carol": carol,
            }.items()
        },
    }


# For tests that hold the write lock so that changes pile up into batches: the
# held lock makes the time to write one change long, and the bound by expected wait
# (CODRAFT_LIVE_MAX_WAIT) would refuse them; test_back_pressure.py checks that bound.
PILE_UP = {"CODRAFT_LIVE_MAX_WAIT": "60"}


def start_patiently(live: LiveServer, timeout: float = 90) -> LiveServer:
    """Start a server, waiting longer than LiveServer does: on a busy shared machine
    a start can take more than its 20 s."""
    try:
        return live.start()
    except RuntimeError:
        if live.proc is None or live.proc.poll() is not None:
            raise
        wait_for_port(live.port, live.proc, timeout)
        return live


@pytest.fixture
def server(instance):
    live = start_patiently(LiveServer(instance))
    yield live
    live.stop()


@pytest.fixture
def connect(server):
    clients: list[Live] = []

    def _connect(token: str | None = None, **kw) -> Live:
        client = Live(server.url, token, **kw)
        clients.append(client)
        return client

    yield _connect
    for c in clients:
        c.close()
