"""Four `codraft serve` processes on one PostgreSQL database, sharing broadcasts
through Redis, with forty seeded random clients spread across them (issue 14).

Each client runs the reference client model (server/sync/client.py) over a real
socket to the process it was dealt; they type into the same few sentences at once.
At the end every client holds exactly the server's text, every token anyone typed
(each acknowledged before the end) is in it exactly once, and PostgreSQL saw no
deadlock.
"""

from __future__ import annotations

import random
import threading
import uuid

import psycopg
import pytest

from tests.conftest import Factory, LiveServer
from tests.realtime.conftest import start_patiently
from tests.realtime.test_convergence import BASE, Typist, settle
from tests.realtime.test_scale_out import postgres_app

PROCESSES = 4
CLIENTS = 40
EDITS_EACH = 6
SEED = 20261202


@pytest.fixture
def four_processes(tmp_path, migrated_postgres_url, redis_url):
    app = postgres_app(tmp_path, migrated_postgres_url)
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
            "url": migrated_postgres_url,
        }
    app.extensions["codraft_db"].remove()
    app.extensions["codraft_db"].engine.dispose()
    env = {
        "CODRAFT_DATABASE_URL": migrated_postgres_url,
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


@pytest.mark.postgres
@pytest.mark.redis
def test_forty_clients_on_four_processes_converge_and_lose_nothing(four_processes):
    world, servers = four_processes
    deal = random.Random(SEED)
    typed: list[str] = []
    typists: list[Typist] = []
    try:
        for i, token in enumerate(world["editors"]):
            where = deal.choice(servers)
            typists.append(
                Typist(where.url, token, i, world["policy_id"], typed, seed=SEED, edits=EDITS_EACH)
            )
        assert {t.live.sio.connection_url for t in typists} >= {s.url for s in servers}
        threads = [threading.Thread(target=t.type_some) for t in typists]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)

        server_text = settle(typists, servers[0].url, world["section_id"], world["reader"], wait=90)
        whole = " ".join(text for _id, text in server_text)
        assert len(typed) == CLIENTS * EDITS_EACH
        missing = [tok for tok in typed if whole.count(tok) != 1]
        assert not missing, missing[:10]
        # Batches on one policy from four processes queue on its op-log row rather
        # than deadlock (each deadlock costs PostgreSQL's 1 s detection and a retry).
        with psycopg.connect(world["url"].replace("+psycopg", "")) as conn:
            deadlocks = conn.execute(
                "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()[0]
        assert deadlocks == 0
    finally:
        for t in typists:
            t.live.close()
