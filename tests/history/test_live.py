"""A restore reaches connected editors live, as ordinary ops marked cause "restore"."""

from __future__ import annotations

import time

import pytest
import requests

from tests.conftest import LiveServer
from tests.realtime.conftest import Live, build_world, patch


@pytest.fixture
def server(instance):
    live = LiveServer(instance).start()
    yield live
    live.stop()


def _wait(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_a_restore_reaches_connected_editors_as_an_op(make, server):
    world = build_world(make)
    alice = Live(server.url, world["tokens"]["alice"])
    carol = Live(server.url, world["tokens"]["carol"])
    try:
        joined = alice.join(world["policy"].id)
        carol.join(world["policy"].id)
        s = joined["sections"][0]["sentences"][0]
        ack = alice.call(
            "edit_sentence",
            {
                "id": s["id"],
                "base_version": s["version"],
                "patch": patch(s["text"], "Something else."),
                "ref": 1,
            },
        )
        assert ack["ok"]
        reply = requests.post(
            f"{server.url}/api/v1/sentences/{s['id']}/restore",
            json={"version": 1},
            timeout=10,
            headers={"Authorization": f"Bearer {world['tokens']['bob']}"},
        )
        assert reply.status_code == 200, reply.text
        seq = reply.json()["seq"]
        for client in (alice, carol):
            assert _wait(lambda c=client: any(o["seq"] == seq for o in c.ops))
            op = next(o for o in client.ops if o["seq"] == seq)
            assert op["op"] == "edit" and op["cause"] == "restore" and op["origin"] is None
            assert op["id"] == s["id"] and op["text"] == s["text"]
        # The section restore comes live too, and the timeline shows both restores.
        reply = requests.post(
            f"{server.url}/api/v1/sections/{world['section'].id}/restore",
            json={"point": f"seq:{ack['seq']}"},
            timeout=10,
            headers={"Authorization": f"Bearer {world['tokens']['bob']}"},
        )
        seq = reply.json()["seq"]
        assert _wait(lambda: any(o["seq"] == seq and o["cause"] == "restore" for o in carol.ops))
        timeline = requests.get(
            f"{server.url}/api/v1/sentences/{s['id']}/history",
            timeout=10,
            headers={"Authorization": f"Bearer {world['tokens']['carol']}"},
        ).json()["revisions"]
        assert [r["cause"] for r in timeline[:2]] == ["restore", "restore"]
    finally:
        alice.close()
        carol.close()
