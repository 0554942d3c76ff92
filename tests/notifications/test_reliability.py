"""Sending is reliable: recorded before it is tried, retried when the SMTP server
is down, sent once after a crash, and sent once when several processes run the
jobs at the same time (PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests

from server.notifications import outbox
from server.notifications.models import OutboxMail
from tests.conftest import ROOT, LiveServer
from tests.notifications.conftest import BASE_URL, plan_session_tomorrow, postgres_app, run_jobs


def mention(world, who="@Ann Parent"):
    world.writer.api.ok(
        world.writer.api.post(f"/sections/{world.section.id}/comments", {"body": f"Hi {who}"}),
        201,
    )
    world.settle()


def wait_for(check, timeout=40.0, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(every)
    return False


def test_smtp_down_then_up_the_mail_is_sent_once_after_it_comes_back(app, world, inbox, db):
    ann = world.members[0]
    inbox.stop()
    mention(world)
    now = datetime.now(UTC)
    run_jobs(app, now)
    row = db.query(OutboxMail).one()
    assert row.sent_at is None and row.attempts == 1 and row.last_error
    assert row.next_attempt_at > now  # it waits before trying again

    inbox.start()
    run_jobs(app, now + timedelta(seconds=1))  # too early: backoff
    assert inbox.to(ann.email) == []
    run_jobs(app, row.next_attempt_at + timedelta(seconds=1))
    run_jobs(app, row.next_attempt_at + timedelta(minutes=10))
    assert len(inbox.to(ann.email)) == 1
    row = db.query(OutboxMail).one()
    assert row.sent_at is not None and row.claimed_at is None


def test_a_claim_left_by_a_crashed_sender_lapses_and_the_mail_goes_once(app, world, inbox, db):
    mention(world)
    now = datetime.now(UTC)
    row = db.query(OutboxMail).one()
    # A sender claimed it and died before talking to the SMTP server.
    assert outbox.claim(db, row.id, now, "dead-process:1")
    db.commit()
    run_jobs(app, now + timedelta(seconds=5))
    assert inbox.to(world.members[0].email) == []  # the lease still holds
    run_jobs(app, now + outbox.LEASE + timedelta(seconds=1))
    run_jobs(app, now + outbox.LEASE + timedelta(minutes=1))
    assert len(inbox.to(world.members[0].email)) == 1


def _server(instance, inbox, jobs_on: bool) -> LiveServer:
    env = {
        "CODRAFT_SMTP_URL": f"smtp://127.0.0.1:{inbox.port}",
        "CODRAFT_MAIL_FROM": "codraft@example.org",
        "CODRAFT_BASE_URL": BASE_URL,
        "CODRAFT_JOBS_IN_SERVER": "1" if jobs_on else "0",
        "CODRAFT_JOBS_TICK_SECONDS": "1",
    }
    return LiveServer(instance, env=env).start()


def test_server_killed_after_recording_and_before_sending_sends_once_after_restart(
    instance, world, inbox, db
):
    ann = world.members[0]
    token = world.writer.api.token
    server = _server(instance, inbox, jobs_on=False)  # records, but nothing sends
    try:
        reply = requests.post(
            f"{server.url}/api/v1/sections/{world.section.id}/comments",
            json={"body": "Can you look, @Ann Parent?"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=20,
        )
        assert reply.status_code == 201, reply.text
        assert wait_for(lambda: db.query(OutboxMail).count() == 1, timeout=10)
    finally:
        server.stop(signal.SIGKILL)  # kill -9
    db.expire_all()
    assert db.query(OutboxMail).one().sent_at is None
    assert inbox.to(ann.email) == []

    server = _server(instance, inbox, jobs_on=True)
    try:
        assert wait_for(lambda: len(inbox.to(ann.email)) >= 1)
        time.sleep(4)  # several more sender runs: nothing more goes out
        assert len(inbox.to(ann.email)) == 1
    finally:
        server.stop()


@pytest.mark.postgres
def test_two_jobs_processes_on_postgresql_send_the_session_digest_once(
    migrated_postgres_url, inbox, tmp_path
):
    from tests.conftest import Factory

    app = postgres_app(migrated_postgres_url, tmp_path, inbox.port)
    with app.app_context():
        make = Factory(app)
        chair = make.user("Fran Facilitator")
        group = make.group(chair)
        members = [make.member(group, make.user(f"Member {i}")).user for i in range(8)]
        db = app.extensions["codraft_db"].session
        plan_session_tomorrow(db, group, chair)
        from server.notifications.models import OutboxMail as Row

        assert db.query(Row).count() == 0  # the planned session is told by the jobs below
    app.extensions["codraft_db"].engine.dispose()

    env = {
        **os.environ,
        "CODRAFT_DATABASE_URL": migrated_postgres_url,
        "CODRAFT_INSTANCE_PATH": str(tmp_path),
        "CODRAFT_SECRET_KEY": "test-secret-key-not-for-production",
        "CODRAFT_SMTP_URL": f"smtp://127.0.0.1:{inbox.port}",
        "CODRAFT_MAIL_FROM": "codraft@example.org",
        "CODRAFT_BASE_URL": BASE_URL,
    }
    for _round in range(2):
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "server.cli", "jobs", "--once"],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
            for _ in range(2)
        ]
        for p in procs:
            out, _ = p.communicate(timeout=120)
            assert p.returncode == 0, out.decode()

    # Both processes turned the "planned" event into notifications and built the
    # digest for the day before, twice over: each member still gets each mail once.
    for user in members:
        subjects = [m["Subject"] for m in inbox.to(user.email)]
        assert sum("was planned" in s for s in subjects) == 1, subjects
        assert sum("is on" in s for s in subjects) == 1, subjects
    subjects = [m["Subject"] for m in inbox.to(chair.email)]  # who planned it is not told
    assert sum("was planned" in s for s in subjects) == 0
    assert sum("is on" in s for s in subjects) == 1
