"""`watch_group` (docs/protocol.md): the group's review and session pages follow
every policy of the group on one socket. Authorised as `GET /groups/{id}/review`
is: a member may watch, anyone else gets `not_found` and nothing; removal from the
group cuts the watching socket off."""

from __future__ import annotations

import time

import requests

from tests.realtime.conftest import patch
from tests.realtime.test_review_live import api, wait_for


def _comment(server, token: str, section_id: int, body: str, **where) -> dict:
    return api(
        server, token, "POST", f"/sections/{section_id}/comments", json={"body": body, **where}
    )


def _recorder(client) -> dict:
    got: dict = {"review": [], "policy_changed": []}
    client.sio.on("review", got["review"].append)
    client.sio.on("policy_changed", got["policy_changed"].append)
    return got


def test_a_member_watches_the_group_and_hears_every_policy(world, make, connect, server):
    tokens, group_id = world["tokens"], world["group"].id
    other = make.policy(world["group"], world["users"]["fatima"], "Transport")
    other_section = make.section(
        other.parts[0], world["users"]["fatima"], world["sub"], "Buses", "A bus comes."
    )
    watcher = connect(tokens["carol"])
    got = _recorder(watcher)
    assert watcher.call("watch_group", {"group_id": group_id}) == {"ok": True, "group_id": group_id}

    # A comment in one policy and an edit in the first: both reach the watcher.
    section_id = world["section"].id
    sentences = api(server, tokens["carol"], "GET", f"/sections/{section_id}")["sentences"]
    thread = _comment(
        server,
        tokens["carol"],
        section_id,
        "Four weeks feels long.",
        sentence_id=sentences[1]["id"],
    )
    wait_for(
        lambda: (
            {
                "policy_id": world["policy"].id,
                "section_id": section_id,
                "kind": "comment",
                "id": thread["id"],
                "action": "added",
            }
            in got["review"]
        )
    )
    editor = connect(tokens["alice"])
    assert editor.join(world["policy"].id)["ok"]
    first = sentences[0]
    ack = editor.call(
        "edit_sentence",
        {
            "id": first["id"],
            "base_version": first["version"],
            "patch": patch(first["text"], first["text"] + " Ask us."),
        },
    )
    assert ack["ok"], ack
    wait_for(lambda: {"policy_id": world["policy"].id, "seq": ack["seq"]} in got["policy_changed"])
    assert all("text" not in m for m in got["policy_changed"])  # no text: fetch it

    # A session of the group is announced once, with no policy.
    api(
        server,
        tokens["fatima"],
        "POST",
        f"/groups/{group_id}/sessions",
        json={"title": "June meeting", "starts_at": "2030-06-01T10:00:00Z"},
    )
    wait_for(lambda: any(r["kind"] == "session" and r["policy_id"] is None for r in got["review"]))

    # And a comment in the group's other policy.
    _comment(server, tokens["carol"], other_section.id, "Which buses?")
    wait_for(
        lambda: any(
            r["policy_id"] == other.id and r["section_id"] == other_section.id
            for r in got["review"]
        )
    )


def test_someone_outside_the_group_cannot_watch_it(world, make, connect, server):
    outsider = make.user("Olga", "olga@example.org")
    token = make.token(outsider)
    spy = connect(token)
    got = _recorder(spy)
    group_id = world["group"].id
    for group in (group_id, 999_999):  # not in it, and no such group: the same answer
        reply = spy.call("watch_group", {"group_id": group})
        assert reply["ok"] is False and reply["error"]["code"] == "not_found", reply
    assert spy.call("watch_group", {"group_id": "1"})["error"]["code"] == "invalid"
    assert spy.call("watch_group", {"group_id": 2**80})["error"]["code"] == "invalid"
    assert spy.call("watch_group", {})["error"]["code"] == "invalid"

    section_id = world["section"].id
    _comment(server, world["tokens"]["carol"], section_id, "Seen by members only.")
    time.sleep(1.0)
    assert got == {"review": [], "policy_changed": []}


def test_removal_from_the_group_cuts_a_watching_socket_off(world, connect, server):
    watcher = connect(world["tokens"]["carol"])
    assert watcher.call("watch_group", {"group_id": world["group"].id})["ok"]
    r = requests.delete(
        f"{server.url}/api/v1/groups/{world['group'].id}/members/{world['users']['carol'].id}",
        headers={"Authorization": f"Bearer {world['tokens']['fatima']}"},
        timeout=10,
    )
    assert r.status_code == 204
    assert watcher.cut_off(10) == [{"reason": "removed_from_group"}]


def test_unwatching_stops_the_events(world, connect, server):
    watcher = connect(world["tokens"]["carol"])
    got = _recorder(watcher)
    assert watcher.call("watch_group", {"group_id": world["group"].id})["ok"]
    assert watcher.call("unwatch_group", {}) == {"ok": True}
    _comment(server, world["tokens"]["carol"], world["section"].id, "After unwatching.")
    time.sleep(1.0)
    assert got["review"] == []
