"""Twenty real Socket.IO clients type into the same few sentences at once.

Each runs the reference client model (server/sync/client.py, the twin of the
browser's) over a real connection to `codraft serve`. Who types what, where and
when is drawn from a seeded generator (the thread scheduling on top is the
machine's own); at the end every client must hold exactly the server's text and
every token anyone typed must be in it exactly once: nothing acknowledged, and
nothing typed, is lost. Two watchers outside the sub-group try to edit too and
are refused without changing anything.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
import requests

from server.sync.client import Client
from tests.conftest import LiveServer
from tests.realtime.conftest import Live, start_patiently

SEED = 20261123
EDITORS = 20
EDITS_EACH = 12
BASE = ["alpha beta gamma delta.", "epsilon zeta eta theta.", "iota kappa alpha beta."]


class Typist:
    """One person at a keyboard: a socket, a client model, and a seeded plan."""

    def __init__(
        self,
        url: str,
        token: str,
        index: int,
        policy_id: int,
        typed: list,
        *,
        seed: int = SEED,
        edits: int = EDITS_EACH,
    ):
        self.index, self.rng, self.typed = index, random.Random(seed + index), typed
        self.edits = edits
        self.lock = threading.RLock()
        self.live = Live(url, token)
        with self.lock:
            self.model = Client(policy_id, self.live.client_id, self.live.join(policy_id))
        self.live.sio.on("op", self._op)

    def _op(self, op: dict) -> None:
        with self.lock:
            self.model.receive_op(op)
            self._send()

    def _send(self) -> None:
        for request in self.model.pending():
            self.live.sio.emit(
                request.event, request.data, callback=lambda ack, r=request: self._ack(r, ack)
            )

    def _ack(self, request, ack: dict) -> None:
        with self.lock:
            self.model.receive_ack(request, ack)
            self._send()

    def type_some(self) -> None:
        for n in range(self.edits):
            time.sleep(self.rng.random() * 0.05)
            with self.lock:
                ((_section_id, sentences),) = self.model.document()
                sentence_id, text = self.rng.choice(sentences)
                spaces = [i + 1 for i, c in enumerate(text) if c == " "]
                at = self.rng.choice([0, *spaces])
                token = f"<C{self.index}K{n}>"
                self.typed.append(token)
                self.model.edit(sentence_id, f"{text[:at]}{token} {text[at:]}")
                self._send()

    def settled(self, seq: int) -> bool:
        with self.lock:
            if not self.model.is_settled():
                self._send()  # a conflict waits for the stream, then goes again
            return self.model.is_settled() and self.model.seq >= seq


def _explain(missing: list[str], whole: str, instance) -> str:
    """Say, for each token lost or doubled, what the server's history holds of it,
    so that a rare failure can be understood from the log alone."""
    import sqlite3

    lines = [f"tokens lost or doubled: {missing[:10]}"]
    with sqlite3.connect(instance / "codraft.db") as con:
        for tok in missing[:5]:
            versions = con.execute(
                "SELECT sentence_id, version, author_id, text FROM sentence_versions "
                "WHERE text LIKE ? ORDER BY sentence_id, version",
                (f"%{tok}%",),
            ).fetchall()
            first = versions[0][:2] if versions else None
            lines.append(
                f"{tok}: {whole.count(tok)} in the final text; in "
                f"{len(versions)} kept versions, first {first}, last "
                f"{versions[-1][:2] if versions else None}"
            )
            if versions:
                sid, last = versions[-1][0], versions[-1][1]
                after = con.execute(
                    "SELECT version, author_id, text FROM sentence_versions "
                    "WHERE sentence_id = ? AND version BETWEEN ? AND ?",
                    (sid, last, last + 1),
                ).fetchall()
                lines.append(f"  around its last version: {after}")
    return "\n".join(lines)


def settle(typists: list[Typist], url: str, section_id: int, reader: str, wait: float = 60) -> list:
    """Wait (at most `wait` seconds) until every client has applied the whole stream and has
    nothing in flight; check each holds exactly the server's text, and return it."""
    url = f"{url}/api/v1/sections/{section_id}"
    headers = {"Authorization": f"Bearer {reader}"}
    deadline = time.monotonic() + wait
    while True:
        body = requests.get(url, headers=headers, timeout=10).json()
        top = max(t.model.seq for t in typists)
        if all(t.settled(top) for t in typists) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    server_text = [(s["id"], s["text"]) for s in body["sentences"]]
    for t in typists:
        with t.lock:
            assert t.model.is_settled(), f"client {t.index} never settled"
            assert t.model.sentences(section_id) == server_text, t.index
    return server_text


@pytest.fixture
def crowd(make, instance):
    facilitator = make.user("Facilitator", "fac@example.org")
    group = make.group(facilitator)
    editors = [make.user(f"Editor {i}", f"editor{i}@example.org") for i in range(EDITORS)]
    watchers = [make.user(f"Watcher {i}", f"watcher{i}@example.org") for i in range(2)]
    sub = make.subgroup(group, "Writers", [make.member(group, u) for u in editors])
    for u in watchers:
        make.member(group, u)
    policy = make.policy(group, facilitator)
    section = make.section(policy.parts[0], facilitator, sub, "Shared", " ".join(BASE))
    return {
        "policy": policy,
        "section": section,
        "editors": [make.token(u) for u in editors],
        "watchers": [make.token(u) for u in watchers],
        "reader": make.token(facilitator),
    }


def test_twenty_clients_converge_and_lose_nothing(crowd, instance):
    server = start_patiently(LiveServer(instance))
    typed: list[str] = []
    typists: list[Typist] = []
    try:
        typists = [
            Typist(server.url, token, i, crowd["policy"].id, typed)
            for i, token in enumerate(crowd["editors"])
        ]
        watchers = [Live(server.url, token) for token in crowd["watchers"]]
        first = [w.join(crowd["policy"].id) for w in watchers][0]["sections"][0]["sentences"][0]
        threads = [threading.Thread(target=t.type_some) for t in typists]
        for t in threads:
            t.start()
        refused = [
            w.call_past_busy(
                "edit_sentence",
                {
                    "id": first["id"],
                    "base_version": 1,
                    "patch": "@@ -1,5 +1,12 @@\n alpha\n+ WATCHER\n",
                },
            )
            for w in watchers
        ]
        for t in threads:
            t.join(60)
        assert all(r["error"]["code"] == "forbidden" for r in refused), refused

        server_text = settle(typists, server.url, crowd["section"].id, crowd["reader"])
        whole = " ".join(text for _id, text in server_text)
        assert len(typed) == EDITORS * EDITS_EACH
        missing = [tok for tok in typed if whole.count(tok) != 1]
        assert not missing, _explain(missing, whole, instance)
        assert "WATCHER" not in whole
    finally:
        for t in typists:
            t.live.close()
        server.stop()
