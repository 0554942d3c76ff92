"""Review reaches connected people live: a comment made over HTTP is announced to
everyone in the policy, and a proposal the group approves through the API
changes the text for a connected editor, as ordinary ops marked with its cause."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import requests

V1 = "/api/v1"


def api(server, token, method, path, **kw):
    res = requests.request(
        method,
        f"{server.url}{V1}{path}",
        timeout=10,
        headers={"Authorization": f"Bearer {token}"},
        **kw,
    )
    assert res.status_code < 300, (path, res.status_code, res.text)
    return res.json()


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def test_comments_and_an_approved_proposal_arrive_live(world, connect, server):
    editor = connect(world["tokens"]["alice"])
    watcher = connect(world["tokens"]["carol"])
    reviews: list[dict] = []
    editor.sio.on("review", reviews.append)
    for c in (editor, watcher):
        assert c.join(world["policy"].id)["ok"]
    section_id = world["section"].id
    sentences = api(server, world["tokens"]["carol"], "GET", f"/sections/{section_id}")["sentences"]

    thread = api(
        server,
        world["tokens"]["carol"],
        "POST",
        f"/sections/{section_id}/comments",
        json={"body": "Four weeks feels long.", "sentence_id": sentences[1]["id"]},
    )
    wait_for(
        lambda: (
            {"section_id": section_id, "kind": "comment", "id": thread["id"], "action": "added"}
            in reviews
        )
    )

    proposal = api(
        server,
        world["tokens"]["carol"],
        "POST",
        f"/sections/{section_id}/proposals",
        json={
            "kind": "replace",
            "reason": "Families asked for a faster answer.",
            "text": "We will answer in two weeks.",
            "sentence_ids": [sentences[1]["id"]],
        },
    )
    vote = api(
        server, world["tokens"]["carol"], "POST", f"/proposals/{proposal['id']}/vote", json={}
    )
    # A facilitator gives it more time: said live, as every change to a vote is.
    later = datetime.fromisoformat(vote["closes_at"]) + timedelta(days=2)
    api(
        server,
        world["tokens"]["fatima"],
        "PATCH",
        f"/votes/{vote['id']}",
        json={"closes_at": later.isoformat()},
    )
    wait_for(
        lambda: (
            {"section_id": section_id, "kind": "vote", "id": vote["id"], "action": "extended"}
            in reviews
        )
    )
    for name in ("fatima", "alice", "bob", "carol"):  # everyone votes: it closes at once
        api(
            server,
            world["tokens"][name],
            "POST",
            f"/votes/{vote['id']}/ballots",
            json={"choice": "approve"},
        )

    op = wait_for(
        lambda: next(
            (o for o in editor.ops if o.get("cause") == f"proposal:{proposal['id']}"), None
        )
    )
    assert op["op"] == "edit" and op["text"] == "We will answer in two weeks."
    wait_for(
        lambda: (
            {
                "section_id": section_id,
                "kind": "proposal",
                "id": proposal["id"],
                "action": "applied",
            }
            in reviews
        )
    )
    wait_for(lambda: any(r["kind"] == "vote" and r["action"] == "closed" for r in reviews))
    assert all("choice" not in r and "ballots" not in r for r in reviews)
    after = api(server, world["tokens"]["alice"], "GET", f"/sections/{section_id}")
    assert after["sentences"][1]["text"] == "We will answer in two weeks."


def test_a_subgroup_decision_is_announced_live_with_its_ops(world, connect, server):
    """Under the "owning sub-group decides" rule (issue 17), a member of the sub-group
    accepts a suggestion on wording: connected people get its ops and the outcome
    at once, with no vote events."""
    from tests.api.review_support import SUBGROUP_DECIDES_RULES

    tokens = world["tokens"]
    group_id = world["policy"].group_id
    api(
        server,
        tokens["fatima"],
        "PUT",
        f"/groups/{group_id}/decision-rules",
        json=SUBGROUP_DECIDES_RULES,
    )
    watcher = connect(tokens["carol"])
    reviews: list[dict] = []
    watcher.sio.on("review", reviews.append)
    assert watcher.join(world["policy"].id)["ok"]
    section_id = world["section"].id
    sentences = api(server, tokens["carol"], "GET", f"/sections/{section_id}")["sentences"]
    proposal = api(
        server,
        tokens["carol"],
        "POST",
        f"/sections/{section_id}/proposals",
        json={
            "kind": "replace",
            "reason": "Shorter.",
            "text": "We answer in two weeks.",
            "sentence_ids": [sentences[1]["id"]],
        },
    )
    decided = api(server, tokens["bob"], "POST", f"/proposals/{proposal['id']}/accept")
    assert decided["status"] == "applied" and decided["decision"]["by"]["name"] == "Bob"
    op = wait_for(
        lambda: next(
            (o for o in watcher.ops if o.get("cause") == f"proposal:{proposal['id']}"), None
        )
    )
    assert op["text"] == "We answer in two weeks."
    applied = {
        "section_id": section_id,
        "kind": "proposal",
        "id": proposal["id"],
        "action": "applied",
    }
    wait_for(lambda: applied in reviews)
    assert not any(r["kind"] == "vote" for r in reviews)
