"""Presence is gathered per room (server/realtime/presence_batch.py): many joins at
once cost each client a few messages, not one per person, and every client still
ends with the same, right list of who is here. Who is already here reaches a
joiner once, as one `presence_batch` marked `everyone`, not in its join reply."""

from __future__ import annotations

import math
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from server.realtime.presence_batch import FLUSH_SECONDS, ONE_BY_ONE
from tests.realtime.conftest import Live
from tests.realtime.test_sockets import wait_for

CLIENTS = 32


class Watcher:
    """A client's view of who is here: every presence message (in the order
    received), as docs/protocol.md says a client applies them."""

    def __init__(self, url: str, token: str):
        self.live = Live(url, token)
        self.lock = threading.Lock()
        self.view: dict[str, dict] = {}
        self.messages: list[float] = []
        self.batches = 0
        self.everyone: list[list[dict]] = []  # the lists of who is here, sent after joining
        self.live.sio.on("presence", lambda p: self._apply([p], []))
        self.live.sio.on("presence_left", lambda p: self._apply([], [p["sid"]]))
        self.live.sio.on("presence_batch", self._batch)

    def _apply(self, present: list[dict], left: list[str]) -> None:
        with self.lock:
            self.messages.append(time.monotonic())
            for p in present:
                self.view[p["sid"]] = p
            for sid in left:
                self.view.pop(sid, None)

    def _batch(self, batch: dict) -> None:
        self.batches += 1
        if batch.get("everyone"):
            self.everyone.append(batch["present"])
        self._apply(batch["present"], batch["left"])

    def join(self, policy_id: int) -> None:
        reply = self.live.join(policy_id)
        assert reply["ok"], reply
        assert "presence" not in reply  # it follows, once for all who joined together
        self.sid = reply["me"]["sid"]

    def sids(self) -> set[str]:
        with self.lock:
            return set(self.view)


def test_many_joins_converge_with_few_presence_messages_each(world, server):
    tokens = list(world["tokens"].values())
    watchers: list[Watcher] = []
    try:
        with ThreadPoolExecutor(8) as pool:
            watchers = list(
                pool.map(lambda i: Watcher(server.url, tokens[i % len(tokens)]), range(CLIENTS))
            )
            began = time.monotonic()
            list(pool.map(lambda w: w.join(world["policy"].id), watchers))
        everyone = {w.sid for w in watchers}
        assert wait_for(lambda: all(w.sids() == everyone for w in watchers), 15), [
            len(w.sids()) for w in watchers
        ]
        took = time.monotonic() - began
        # A few messages per flush while people joined (one process, one room), not
        # one per person: most joins arrived as batches.
        most = ONE_BY_ONE * (math.ceil((took + 0.5) / FLUSH_SECONDS) + 1)
        assert max(len(w.messages) for w in watchers) <= most, (
            [len(w.messages) for w in watchers],
            most,
        )
        assert any(w.batches for w in watchers)
        # Each joiner was told who is here exactly once, itself included, and those
        # who joined together were told in one message (far fewer lists than joins).
        # (the list follows the room's changes in the same send: wait for it)
        assert wait_for(lambda: all(w.everyone for w in watchers), 10)
        time.sleep(FLUSH_SECONDS * 2)
        assert [len(w.everyone) for w in watchers] == [1] * CLIENTS
        assert all(w.sid in {p["sid"] for p in w.everyone[0]} for w in watchers)
        lists = {tuple(sorted(p["sid"] for p in w.everyone[0])) for w in watchers}
        assert len(lists) < CLIENTS, len(lists)

        # A third leave (some by leave_policy, some by disconnecting); the rest agree.
        going, staying = watchers[: CLIENTS // 3], watchers[CLIENTS // 3 :]
        for i, w in enumerate(going):
            if i % 2:
                assert w.live.call("leave_policy") == {"ok": True}
            else:
                w.live.close()
        left = {w.sid for w in staying}
        assert wait_for(lambda: all(w.sids() == left for w in staying), 15), [
            len(w.sids()) for w in staying
        ]
        for w in staying:
            assert {p["name"] for p in w.view.values()} <= {
                u.display_name for u in world["users"].values()
            }
    finally:
        for w in watchers:
            w.live.close()
