"""Several server processes on PostgreSQL, sharing broadcasts through Redis."""

from __future__ import annotations

import random
import uuid

import pytest
import requests

from server import create_app
from tests.conftest import Factory, LiveServer, app_config
from tests.realtime.conftest import Live, build_world, patch, start_patiently
from tests.realtime.test_group_commit import check_burst, fire_burst
from tests.realtime.test_sockets import first_sentence, read_text, wait_for


def postgres_app(folder, postgres_url: str):
    """An in-process app on a migrated PostgreSQL database (`migrated_postgres_url`),
    to arrange data."""
    return create_app(app_config(folder, postgres_url))


@pytest.fixture
def two_processes(tmp_path, migrated_postgres_url, redis_url):
    """A world on a fresh PostgreSQL database and two `codraft serve` processes sharing
    broadcasts through Redis (a channel of their own)."""
    app = postgres_app(tmp_path, migrated_postgres_url)
    world = build_world(Factory(app))
    env = {
        "CODRAFT_DATABASE_URL": migrated_postgres_url,
        "CODRAFT_MESSAGE_QUEUE": redis_url,
        "CODRAFT_MESSAGE_QUEUE_CHANNEL": f"codraft-test-{uuid.uuid4().hex[:8]}",
    }
    one = start_patiently(LiveServer(tmp_path, command="serve", env=env))
    two = start_patiently(LiveServer(tmp_path, command="serve", env=env))
    yield world, one, two
    one.stop()
    two.stop()
    app.extensions["codraft_db"].engine.dispose()


@pytest.mark.postgres
@pytest.mark.redis
def test_an_edit_through_one_process_reaches_a_client_of_another(two_processes):
    world, one, two = two_processes
    alice = bob = None
    try:
        alice = Live(one.url, world["tokens"]["alice"])
        bob = Live(two.url, world["tokens"]["bob"])
        joined = alice.join(world["policy"].id)
        bob.join(world["policy"].id)
        s = first_sentence(joined)
        ack = alice.call(
            "edit_sentence",
            {
                "id": s["id"],
                "base_version": 1,
                "ref": 1,
                "patch": patch(s["text"], s["text"] + " Via one."),
            },
        )
        assert ack["ok"], ack
        assert wait_for(lambda: any(o["seq"] == ack["seq"] for o in bob.ops), 10)
        op = next(o for o in bob.ops if o["seq"] == ack["seq"])
        assert op["text"].endswith("Via one.") and op["origin"] == alice.client_id

        back = bob.call(
            "edit_sentence",
            {"id": s["id"], "base_version": 2, "patch": patch(op["text"], "Two: " + op["text"])},
        )
        assert back["ok"], back
        assert wait_for(lambda: any(o["seq"] == back["seq"] for o in alice.ops), 10)
        assert (
            read_text(two, world["tokens"]["carol"], world["section"].id)[0]
            == "Two: You can ask for a budget. Via one."
        )
        # presence crosses processes too
        assert wait_for(
            lambda: (
                any(p["name"] == "Bob" for p in alice.presence)
                or (
                    alice.join(world["policy"].id)["ok"]
                    and any(p["name"] == "Bob" for p in alice.here())
                )
            ),
            10,
        )
    finally:
        for client in (alice, bob):
            if client:
                client.close()


@pytest.mark.postgres
@pytest.mark.redis
def test_bursts_through_two_processes_keep_every_change_once(two_processes):
    """Group commit on PostgreSQL, with changes to one policy arriving at two processes at
    once (each writing its own batches, in savepoints): nothing acknowledged is lost or
    doubled, no refused change leaves a trace, and every client gets every op once."""
    world, one, two = two_processes
    clients = {}
    try:
        clients = {
            "alice": Live(one.url, world["tokens"]["alice"]),
            "bob": Live(two.url, world["tokens"]["bob"]),
            "carol": Live(two.url, world["tokens"]["carol"]),
        }
        start = max(c.join(world["policy"].id)["seq"] for c in clients.values())
        plan, answers = fire_burst(clients, world["section"].id, random.Random(20261124))
        check_burst(
            plan,
            answers,
            clients,
            start,
            lambda: read_text(one, world["tokens"]["carol"], world["section"].id),
        )
    finally:
        for client in clients.values():
            client.close()


@pytest.mark.postgres
@pytest.mark.redis
def test_rights_and_tokens_changed_through_one_process_hold_at_once_in_another(two_processes):
    """Each socket event reads the rights and the credential afresh: a change made over
    HTTP in process one is enforced on the very next event in process two, without
    waiting for the `rights` message or the disconnect to travel through Redis."""
    world, one, two = two_processes
    alice = bob = None
    try:
        alice = Live(two.url, world["tokens"]["alice"])
        bob = Live(two.url, world["tokens"]["bob"])
        s = first_sentence(alice.join(world["policy"].id))
        bob.join(world["policy"].id)
        ok = alice.call(
            "edit_sentence",
            {"id": s["id"], "base_version": 1, "patch": patch(s["text"], s["text"] + " One.")},
        )
        assert ok["ok"], ok
        text = s["text"] + " One."

        fatima = {"Authorization": f"Bearer {world['tokens']['fatima']}"}
        gone = requests.delete(
            f"{one.url}/api/v1/subgroups/{world['sub'].id}/members/{world['users']['alice'].id}",
            headers=fatima,
            timeout=10,
        )
        assert gone.status_code == 204
        refused = alice.call(
            "edit_sentence",
            {"id": s["id"], "base_version": 2, "patch": patch(text, text + " Two.")},
        )
        assert refused["error"]["code"] == "forbidden", refused

        mine = {"Authorization": f"Bearer {world['tokens']['bob']}"}
        token_id = requests.get(f"{one.url}/api/v1/tokens", headers=mine, timeout=10).json()[0][
            "id"
        ]
        assert (
            requests.delete(
                f"{one.url}/api/v1/tokens/{token_id}", headers=mine, timeout=10
            ).status_code
            == 204
        )
        reply = bob.call_unless_cut_off(
            "edit_sentence",
            {"id": s["id"], "base_version": 2, "patch": patch(text, text + " Three.")},
        )  # None: the disconnect from process one came first: refused as well
        assert reply is None or reply["error"]["code"] == "signed_out", reply
        assert read_text(one, world["tokens"]["carol"], world["section"].id)[0] == text
    finally:
        for client in (alice, bob):
            if client:
                client.close()
