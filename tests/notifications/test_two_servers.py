"""With several server processes exactly one sends each mail: two `codraft serve`
processes on one PostgreSQL database, sharing Redis, each running the jobs in the
background as shipped, against a real SMTP server (aiosmtpd). They race for the
same waiting events, build the same digest before a session and poll the same
outbox; every member still gets each mail once, and every outbox row is sent."""

from __future__ import annotations

import time
import uuid

import pytest
import requests

from tests.conftest import Factory, LiveServer
from tests.notifications.conftest import BASE_URL, plan_session_tomorrow, postgres_app
from tests.realtime.conftest import start_patiently

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def wait_for(check, timeout=60.0, every=0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False


@pytest.fixture
def seeded(migrated_postgres_url, inbox, tmp_path):
    """A group of a facilitator and eight members with a section to comment on,
    and a session tomorrow, planned before the servers start (so both servers'
    first job run finds its "planned" event waiting and its digest due)."""
    app = postgres_app(migrated_postgres_url, tmp_path, inbox.port)
    with app.app_context():
        make = Factory(app)
        chair = make.user("Fran Facilitator")
        group = make.group(chair)
        members = [make.member(group, make.user(f"Member {i}")) for i in range(8)]
        sub = make.subgroup(group, "Writers", members=members[:2])
        policy = make.policy(group, chair)
        section = make.section(policy.parts[0], chair, sub, "Budgets", "You can ask.")
        db = app.extensions["codraft_db"].session
        plan_session_tomorrow(db, group, chair)
        world = {
            "chair": chair.email,
            "members": [m.user.email for m in members],
            "section_id": section.id,
            "tokens": [make.token(m.user) for m in members[:2]],
            "database": app.extensions["codraft_db"],
        }
    yield world
    app.extensions["codraft_db"].engine.dispose()


def test_two_servers_on_postgresql_send_each_mail_once(
    seeded, migrated_postgres_url, redis_url, inbox, tmp_path
):
    from sqlalchemy import create_engine, text

    env = {
        "CODRAFT_DATABASE_URL": migrated_postgres_url,
        "CODRAFT_MESSAGE_QUEUE": redis_url,
        "CODRAFT_MESSAGE_QUEUE_CHANNEL": f"codraft-test-{uuid.uuid4().hex[:8]}",
        "CODRAFT_SMTP_URL": f"smtp://127.0.0.1:{inbox.port}",
        "CODRAFT_MAIL_FROM": "codraft@example.org",
        "CODRAFT_BASE_URL": BASE_URL,
        "CODRAFT_JOBS_IN_SERVER": "1",
        "CODRAFT_JOBS_TICK_SECONDS": "1",
    }
    servers = [start_patiently(LiveServer(tmp_path, command="serve", env=env)) for _ in range(2)]
    try:
        # A mention through each server: told right after its commit, in that process.
        for n, (server, token) in enumerate(zip(servers, seeded["tokens"], strict=True)):
            reply = requests.post(
                f"{server.url}/api/v1/sections/{seeded['section_id']}/comments",
                json={"body": f"Could you look, @Member {n + 4}?"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            assert reply.status_code == 201, reply.text

        def subjects(address):
            return [m["Subject"] for m in inbox.to(address)]

        everyone = [seeded["chair"], *seeded["members"]]
        assert wait_for(
            lambda: (
                all(any("is on" in s for s in subjects(a)) for a in everyone)
                and all(any("was planned" in s for s in subjects(a)) for a in seeded["members"])
                and len(inbox.to(seeded["members"][4])) >= 3
                and len(inbox.to(seeded["members"][5])) >= 3
            )
        ), {a: subjects(a) for a in everyone}
        time.sleep(6)  # several more job runs in both servers: nothing more goes out

        for address in seeded["members"]:
            got = subjects(address)
            assert sum("was planned" in s for s in got) == 1, got
            assert sum("is on" in s for s in got) == 1, got
        for n in (4, 5):
            got = subjects(seeded["members"][n])
            assert sum("mentioned you" in s for s in got) == 1, got
        got = subjects(seeded["chair"])
        assert sum("is on" in s for s in got) == 1 and not any("was planned" in s for s in got)

        engine = create_engine(migrated_postgres_url)
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT sent_at, claimed_by FROM outbox")).all()
        engine.dispose()
        assert len(rows) == len(inbox.messages)  # each recorded mail arrived once
        assert all(sent is not None for sent, _by in rows)
    finally:
        for server in servers:
            server.stop()
