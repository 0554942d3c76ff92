"""A PostgreSQL wait yields to the other greenlets of a `codraft serve` process.

psycopg 3's C wait (`wait_c`, with psycopg[binary]) blocks the whole gevent hub;
psycopg >= 3.1.14 chooses a Python wait when gevent has patched `select` before
psycopg is imported, which `codraft serve` does first thing (server/cli.py). This
proves it end to end: one edit sits for a second in `pg_sleep` (a trigger the test
adds to the database), and meanwhile another socket's events, each of which reads
the database (its credential is checked again), are answered at once. With
PSYCOPG_WAIT_FUNC=wait_c the server blocks and this test fails.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from tests.conftest import Factory, LiveServer
from tests.realtime.conftest import Live, build_world, patch, start_patiently
from tests.realtime.test_scale_out import postgres_app
from tests.realtime.test_sockets import first_sentence

SLOW_UPDATE = """
CREATE FUNCTION codraft_test_slow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_sleep(1);
    RETURN NEW;
END $$;
CREATE TRIGGER codraft_test_slow BEFORE UPDATE ON sentences
    FOR EACH ROW EXECUTE FUNCTION codraft_test_slow();
"""


@pytest.fixture
def slow_postgres_server(tmp_path, migrated_postgres_url):
    app = postgres_app(tmp_path, migrated_postgres_url)
    world = build_world(Factory(app))
    app.extensions["codraft_db"].engine.dispose()
    with psycopg.connect(migrated_postgres_url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(SLOW_UPDATE)
    live = start_patiently(
        LiveServer(tmp_path, command="serve", env={"CODRAFT_DATABASE_URL": migrated_postgres_url})
    )
    yield world, live
    live.stop()


@pytest.mark.postgres
@pytest.mark.quiet  # a 50 ms bound: the other worker's tests must not take the CPU meanwhile
def test_other_events_are_answered_while_one_waits_in_postgres(slow_postgres_server):
    world, live = slow_postgres_server
    alice = Live(live.url, world["tokens"]["alice"])
    bob = Live(live.url, world["tokens"]["bob"])
    try:
        s = first_sentence(alice.join(world["policy"].id))
        text, version = s["text"], 1
        # The first round opens the pool's second connection (a connect is not what
        # is measured); the second round is measured.
        for _round in range(2):
            text, version, answered, slow = _events_during_slow_edit(
                alice, bob, s["id"], text, version
            )
        assert slow["ack"]["ok"], slow
        assert slow["seconds"] >= 1.0  # it really waited in PostgreSQL
        assert max(answered) < 0.05, [f"{t * 1000:.0f} ms" for t in answered]
    finally:
        alice.close()
        bob.close()


def _events_during_slow_edit(alice, bob, sentence_id, text, version):
    """Alice edits (a second in pg_sleep); meanwhile Bob sends three events, each
    checked against the database. Returns the new text and version, Bob's answer
    times, and Alice's edit."""
    slow: dict = {}
    new_text = text + " Hi."

    def slow_edit():
        started = time.monotonic()
        slow["ack"] = alice.call(
            "edit_sentence",
            {"id": sentence_id, "base_version": version, "patch": patch(text, new_text)},
        )
        slow["seconds"] = time.monotonic() - started

    sender = threading.Thread(target=slow_edit)
    sender.start()
    time.sleep(0.2)  # the edit is now in pg_sleep(1)
    answered = []
    for _ in range(3):
        started = time.monotonic()
        reply = bob.call("leave_policy")  # re-authenticates Bob: a query
        answered.append(time.monotonic() - started)
        assert reply == {"ok": True}
    assert "ack" not in slow, "Bob's events ended after the slow edit"
    sender.join(10)
    return new_text, version + 1, answered, slow
