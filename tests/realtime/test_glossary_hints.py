"""A glossary change reaches open pages: when a term is added to the glossary (or
removed), the sentences that use it get new jargon hints over the socket, without
anyone editing them. Real server process, real Socket.IO client, changes over HTTP."""

from __future__ import annotations

import requests

from tests.realtime.test_review_live import api, wait_for


def jargon_of(event: dict, sentence_id: int) -> list[str] | None:
    for s in event["sentences"]:
        if s["id"] == sentence_id:
            return [h["message"] for h in s["hints"] if h["code"] == "jargon"]
    return None


def test_hints_follow_the_glossary_live(world, connect, server, make):
    section = make.section(
        world["policy"].parts[0], world["users"]["fatima"], world["sub"], "Help", "Ask the SENCo."
    )
    watcher = connect(world["tokens"]["carol"])
    got: list[dict] = []
    watcher.sio.on("hints", got.append)
    watcher.join(world["policy"].id)
    before = api(server, world["tokens"]["carol"], "GET", f"/sections/{section.id}/hints")
    mine = before["sentences"][0]
    sentence_id = mine["id"]
    assert any("SENCo" in h["message"] for h in mine["hints"] if h["code"] == "jargon")

    term = api(
        server,
        world["tokens"]["fatima"],
        "POST",
        f"/groups/{world['group'].id}/glossary",
        json={"term": "SENCo", "explanation": "The teacher who leads on special needs."},
    )
    wait_for(lambda: any(jargon_of(e, sentence_id) == [] for e in got))
    # Only sentences that use the term are sent again.
    assert all(s["id"] == sentence_id for e in got for s in e["sentences"])

    got.clear()
    gone = requests.delete(
        f"{server.url}/api/v1/glossary/{term['id']}",
        headers={"Authorization": f"Bearer {world['tokens']['fatima']}"},
        timeout=10,
    )
    assert gone.status_code == 204
    wait_for(lambda: any(jargon_of(e, sentence_id) for e in got))
