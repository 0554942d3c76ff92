"""Four `codraft serve` processes on one PostgreSQL database, sharing broadcasts
through Redis, with forty seeded random clients spread across them (issue 14).

Each client runs the reference client model (server/sync/client.py) over a real
socket to the process it was dealt; they type into the same few sentences at once.
At the end every client holds exactly the server's text, and every token anyone
typed (each acknowledged before the end) is in it exactly once.
"""

from __future__ import annotations

import random
import threading
import time
import uuid

import pytest
import requests

from server import create_app
from server.migrate import upgrade
from tests.conftest import Factory, LiveServer
from tests.realtime.conftest import start_patiently
from tests.realtime.test_convergence import BASE, Typist

PROCESSES = 4
CLIENTS = 40
EDITS_EACH = 6
SEED = 20261202


@pytest.fixture
def four_processes(tmp_path, postgres_url, redis_url):
    upgrade(postgres_url)
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "DATABASE_URL": postgres_url,
            "SECRET_KEY": "four-processes-test-secret",
            "TESTING": True,
        }
    )
    make = Factory(app)
    with app.app_context():
        facilitator = make.user("Facilitator", "fac@example.org")
        group = make.group(facilitator)
        editors = [make.user(f"Editor {i}", f"editor{i}@example.org") for i in range(CLIENTS)]
        sub = make.subgroup(group, "Writers", [make.member(group, u) for u in editors])
        policy = make.policy(group, facilitator)
        section = make.section(policy.parts[0], facilitator, sub, "Shared", " ".join(BASE))
        world = {
            "policy_id": policy.id,
            "section_id": section.id,
            "editors": [make.token(u) for u in editors],
            "reader": make.token(facilitator),
        }
    app.extensions["codraft_db"].remove()
    app.extensions["codraft_db"].engine.dispose()
    env = {
        "CODRAFT_DATABASE_URL": postgres_url,
        "CODRAFT_MESSAGE_QUEUE": redis_url,
        "CODRAFT_MESSAGE_QUEUE_CHANNEL": f"codraft-test-{uuid.uuid4().hex[:8]}",
    }
    servers = []
    try:
        for _ in range(PROCESSES):
            servers.append(start_patiently(LiveServer(tmp_path, command="serve", env=env)))
        yield world, servers
    finally:
        for server in servers:
            server.stop()


class SeededTypist(Typist):
    """test_convergence's typist, with fewer edits and this test's seed."""

    def type_some(self) -> None:
        self.rng = random.Random(SEED + self.index)
        for n in range(EDITS_EACH):
            time.sleep(self.rng.random() * 0.1)
            with self.lock:
                ((_section_id, sentences),) = self.model.document()
                sentence_id, text = self.rng.choice(sentences)
                spaces = [i + 1 for i, c in enumerate(text) if c == " "]
                at = self.rng.choice([0, *spaces])
                token = f"<C{self.index}K{n}>"
                self.typed.append(token)
                self.model.edit(sentence_id, f"{text[:at]}{token} {text[at:]}")
                self._send()


@pytest.mark.postgres
@pytest.mark.redis
def test_forty_clients_on_four_processes_converge_and_lose_nothing(four_processes):
    world, servers = four_processes
    deal = random.Random(SEED)
    typed: list[str] = []
    typists: list[SeededTypist] = []
    try:
        for i, token in enumerate(world["editors"]):
            where = deal.choice(servers)
            typists.append(SeededTypist(where.url, token, i, world["policy_id"], typed))
        assert {t.live.sio.connection_url for t in typists} >= {s.url for s in servers}
        threads = [threading.Thread(target=t.type_some) for t in typists]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)

        url = f"{servers[0].url}/api/v1/sections/{world['section_id']}"
        headers = {"Authorization": f"Bearer {world['reader']}"}
        deadline = time.monotonic() + 90
        while True:
            body = requests.get(url, headers=headers, timeout=10).json()
            top = max(t.model.seq for t in typists)
            if all(t.settled(top) for t in typists) or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        server_text = [(s["id"], s["text"]) for s in body["sentences"]]
        for t in typists:
            with t.lock:
                assert t.model.is_settled(), f"client {t.index} never settled"
                assert t.model.sentences(world["section_id"]) == server_text, t.index
        whole = " ".join(text for _id, text in server_text)
        assert len(typed) == CLIENTS * EDITS_EACH
        missing = [tok for tok in typed if whole.count(tok) != 1]
        assert not missing, missing[:10]
    finally:
        for t in typists:
            t.live.close()
