"""The socket layer through real clients: authentication, authorisation, bad input,
durability of acknowledged edits, and access taking effect on open sockets."""

from __future__ import annotations

import time

import pytest
import requests
import socketio

from tests.realtime.conftest import Live, patch


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def first_sentence(join_reply: dict) -> dict:
    return join_reply["sections"][0]["sentences"][0]


def read_text(server, token: str, section_id: int) -> list[str]:
    body = requests.get(
        f"{server.url}/api/v1/sections/{section_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    return [s["text"] for s in body["sentences"]]


def test_connect_needs_credentials(server):
    with pytest.raises(socketio.exceptions.ConnectionError):
        Live(server.url)
    with pytest.raises(socketio.exceptions.ConnectionError):
        Live(server.url, token="cdt_not-a-real-token")


def test_a_connect_records_when_its_token_was_last_used(world, make, server):
    """The connect's check (accounts.api_token_owner) writes a token's last use as an
    HTTP request does; the token page shows it."""
    from server.accounts.models import ApiToken

    user = make.user("Newcomer", "newcomer@example.org")
    make.member(world["group"], user)
    token = make.token(user)
    row = make.db.query(ApiToken).filter_by(user_id=user.id).one()
    assert row.last_used_at is None
    live = Live(server.url, token)
    try:
        make.db.expire_all()
        assert make.db.get(ApiToken, row.id).last_used_at is not None
    finally:
        live.close()


def test_owner_edit_is_acked_stored_and_broadcast_to_everyone(world, connect, server):
    alice, carol = connect(world["tokens"]["alice"]), connect(world["tokens"]["carol"])
    joined = alice.join(world["policy"].id)
    assert joined["ok"] and world["section"].id in joined["rights"]["can_edit"]
    watcher = carol.join(world["policy"].id)
    assert watcher["rights"]["can_edit"] == []
    s = first_sentence(joined)
    ack = alice.call(
        "edit_sentence",
        {
            "id": s["id"],
            "base_version": s["version"],
            "patch": patch(s["text"], s["text"] + " Soon."),
            "ref": 1,
        },
    )
    assert ack == {"ok": True, "seq": joined["seq"] + 1}
    for client in (alice, carol):  # the sender too: it learns its own op from the stream
        assert wait_for(lambda c=client: any(o["seq"] == ack["seq"] for o in c.ops))
    op = next(o for o in carol.ops if o["seq"] == ack["seq"])
    assert op["origin"] == alice.client_id and op["ref"] == 1 and op["version"] == 2
    assert op["by"] == world["users"]["alice"].id  # whose change, to name them
    assert (
        read_text(server, world["tokens"]["carol"], world["section"].id)[0]
        == "You can ask for a budget. Soon."
    )


def test_watchers_cannot_edit_and_nothing_changes(world, connect, server):
    carol = connect(world["tokens"]["carol"])
    joined = carol.join(world["policy"].id)
    s = first_sentence(joined)
    before = read_text(server, world["tokens"]["carol"], world["section"].id)
    requests_ = [
        ("edit_sentence", {"id": s["id"], "base_version": 1, "patch": patch(s["text"], "x")}),
        (
            "insert_sentence",
            {"section_id": world["section"].id, "text": "Mine.", "place": {"at": "end"}},
        ),
        ("delete_sentence", {"id": s["id"], "base_version": 1}),
        ("split_sentence", {"id": s["id"], "base_version": 1, "offset": 3}),
        ("move_sentence", {"id": s["id"], "place": {"at": "end"}}),
        ("delete_section", {"id": world["section"].id}),
    ]
    for event, data in requests_:
        reply = carol.call(event, data)
        assert reply["ok"] is False and reply["error"]["code"] == "forbidden", (event, reply)
    assert read_text(server, world["tokens"]["carol"], world["section"].id) == before


def test_other_groups_and_unjoined_sockets_are_refused(world, connect, make):
    stranger = make.user("Stranger", "stranger@example.org")
    other_group = make.group(stranger, "Other group")
    mine = make.subgroup(other_group, "Mine", [])
    other_policy = make.policy(other_group, stranger)
    make.section(other_policy.parts[0], stranger, mine, "Theirs", "Secret text.")
    alice = connect(world["tokens"]["alice"])
    early = alice.call("edit_sentence", {"id": 1, "base_version": 1, "patch": "@@ x"})
    assert early["error"]["code"] in {"not_joined", "invalid"}
    s_reply = alice.call("presence", {"section_id": world["section"].id})
    assert s_reply["error"]["code"] == "not_joined"
    assert alice.join(other_policy.id)["error"]["code"] == "not_found"
    joined = alice.join(world["policy"].id)
    other_sentence_id = first_sentence(joined)["id"] + 3  # exists, in the other group
    reply = alice.call(
        "edit_sentence",
        {"id": other_sentence_id, "base_version": 1, "patch": patch("Secret text.", "Mine.")},
    )
    assert reply["error"]["code"] in {"not_found", "forbidden"}


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"base_version": 1, "patch": "not a patch"}, "bad_patch"),
        ({"base_version": 99, "patch": "@@ -1,3 +1,4 @@\n You\n+!\n"}, "future_version"),
        ({"base_version": 1, "patch": "@@ -1,1 +1,30001 @@\n+" + "x" * 30000 + "\n"}, "invalid"),
        ({"base_version": "1", "patch": "x"}, "invalid"),
        ({"base_version": 1}, "invalid"),
        ({"base_version": 1, "patch": "@@ -1,3 +1,5 @@\n You\n+%0A\n"}, "bad_text"),
        ({"base_version": 1, "patch": "@@ -1,3 +1,5 @@\n You\n+%09\n"}, "bad_text"),  # a tab
    ],
)
def test_bad_edits_get_error_acks_and_change_nothing(world, connect, server, payload, code):
    alice = connect(world["tokens"]["alice"])
    s = first_sentence(alice.join(world["policy"].id))
    before = read_text(server, world["tokens"]["alice"], world["section"].id)
    reply = alice.call("edit_sentence", {"id": s["id"], **payload})
    assert reply["ok"] is False and reply["error"]["code"] == code, reply
    assert set(reply["error"]) >= {"code", "message"}
    assert read_text(server, world["tokens"]["alice"], world["section"].id) == before


def test_unknown_ids_and_non_object_payloads(world, connect):
    alice = connect(world["tokens"]["alice"])
    alice.join(world["policy"].id)
    assert (
        alice.call("edit_sentence", {"id": 999999, "base_version": 1, "patch": "@@ x"})["error"][
            "code"
        ]
        == "not_found"
    )
    assert alice.call("edit_sentence", "just a string")["error"]["code"] == "invalid"
    assert alice.call("edit_sentence", [1, 2])["error"]["code"] == "invalid"
    assert alice.call("join_policy", {"policy_id": 1})["error"]["code"] == "invalid"


@pytest.mark.quiet  # the flood must outrun the bucket's refill, so needs the CPU
def test_a_flood_is_throttled_without_hurting_others(world, connect):
    alice, bob = connect(world["tokens"]["alice"]), connect(world["tokens"]["bob"])
    alice.join(world["policy"].id)
    bob.join(world["policy"].id)
    replies = []
    for _ in range(200):
        alice.sio.emit("presence", {"section_id": world["section"].id}, callback=replies.append)
    assert wait_for(lambda: len(replies) == 200, 20)
    assert any(r.get("error", {}).get("code") == "rate_limited" for r in replies)
    assert bob.call("presence", {"section_id": world["section"].id}) == {"ok": True}


def test_deleted_and_merged_sentences_answer_gone(world, connect):
    alice, bob = connect(world["tokens"]["alice"]), connect(world["tokens"]["bob"])
    joined = alice.join(world["policy"].id)
    bob.join(world["policy"].id)
    first, second, third = joined["sections"][0]["sentences"]
    assert alice.call("delete_sentence", {"id": third["id"], "base_version": 1})["ok"]
    assert alice.call(
        "merge_sentence",
        {"id": second["id"], "base_version": 1, "into": first["id"], "into_base_version": 1},
    )["ok"]
    late = bob.call(
        "edit_sentence",
        {"id": third["id"], "base_version": 1, "patch": patch(third["text"], third["text"] + "!")},
    )
    assert late["error"]["code"] == "gone"
    merged = bob.call(
        "edit_sentence",
        {
            "id": second["id"],
            "base_version": 1,
            "patch": patch(second["text"], "X" + second["text"]),
        },
    )
    assert merged["error"]["code"] == "gone" and merged["error"]["merged_into"] == first["id"]


def test_a_stale_edit_merges_with_typing_but_not_across_a_split(world, connect, server):
    """An edit made against an older version is merged with what others typed since;
    once the sentence was split, the merge could put typing into the wrong half,
    so it is refused as a conflict and the client sends it again later."""
    alice, bob = connect(world["tokens"]["alice"]), connect(world["tokens"]["bob"])
    s = first_sentence(alice.join(world["policy"].id))
    bob.join(world["policy"].id)
    text = s["text"]  # "You can ask for a budget."
    first = alice.call(
        "edit_sentence",
        {"id": s["id"], "base_version": 1, "patch": patch(text, "Now you can ask for a budget.")},
    )
    assert first["ok"], first
    merged = bob.call(
        "edit_sentence",
        {
            "id": s["id"],
            "base_version": 1,
            "patch": patch(text, "You can ask for a personal budget."),
        },
    )
    assert merged["ok"], merged
    assert (
        read_text(server, world["tokens"]["carol"], world["section"].id)[0]
        == "Now you can ask for a personal budget."
    )

    split = alice.call("split_sentence", {"id": s["id"], "base_version": 3, "offset": 7})
    assert split["ok"], split
    stale = bob.call(
        "edit_sentence",
        {
            "id": s["id"],
            "base_version": 3,
            "patch": patch(
                "Now you can ask for a personal budget.", "Now you can ask for a personal budget!"
            ),
        },
    )
    assert stale["error"]["code"] == "conflict"
    assert read_text(server, world["tokens"]["carol"], world["section"].id)[:2] == [
        "Now you",
        " can ask for a personal budget.",
    ]


def test_presence_shows_who_is_where_and_clears_on_leave(world, connect):
    alice, carol = connect(world["tokens"]["alice"]), connect(world["tokens"]["carol"])
    carol.join(world["policy"].id)
    joined = alice.join(world["policy"].id)
    assert "presence" not in joined  # who is here comes once, for all who joined together
    assert {p["name"] for p in alice.here()} == {"Alice", "Carol"}
    s = first_sentence(joined)
    assert alice.call("presence", {"sentence_id": s["id"]}) == {"ok": True}
    assert wait_for(
        lambda: any(p["sentence_id"] == s["id"] and p["name"] == "Alice" for p in carol.presence)
    )
    seen = next(p for p in carol.presence if p["sentence_id"] == s["id"])
    assert seen["section_id"] == world["section"].id and seen["colour"].startswith("#")
    left = []
    carol.sio.on("presence_left", left.append)
    alice.close()
    assert wait_for(lambda: left and left[0]["sid"] == seen["sid"])


def test_sign_out_cuts_off_the_socket_at_once(world, server, make):
    web = requests.Session()
    page = web.get(f"{server.url}/sign-in", timeout=10).text
    import re

    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    web.post(
        f"{server.url}/sign-in",
        data={
            "email": "alice@example.org",
            "password": "correct horse battery",
            "csrf_token": csrf,
        },
        timeout=10,
    )
    cookie = "; ".join(f"{k}={v}" for k, v in web.cookies.items())
    live = Live(server.url, headers={"Cookie": cookie})
    try:
        assert live.join(world["policy"].id)["ok"]
        home = web.get(f"{server.url}/", timeout=10).text
        csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', home).group(1)
        web.post(f"{server.url}/sign-out", data={"csrf_token": csrf}, timeout=10)
        revoked = live.cut_off(5)
        assert revoked and revoked[0]["reason"] == "signed_out"
    finally:
        live.close()


def test_leaving_the_sub_group_stops_edits_at_once(world, connect, server):
    alice = connect(world["tokens"]["alice"])
    joined = alice.join(world["policy"].id)
    s = first_sentence(joined)
    api = f"{server.url}/api/v1/subgroups/{world['sub'].id}/members/{world['users']['alice'].id}"
    gone = requests.delete(
        api, headers={"Authorization": f"Bearer {world['tokens']['fatima']}"}, timeout=10
    )
    assert gone.status_code == 204
    assert wait_for(lambda: alice.rights and alice.rights[-1]["can_edit"] == [])
    reply = alice.call(
        "edit_sentence",
        {"id": s["id"], "base_version": 1, "patch": patch(s["text"], s["text"] + "!")},
    )
    assert reply["error"]["code"] == "forbidden"


def test_a_role_change_sends_rights_with_can_manage(world, connect, server):
    """Made a facilitator and back, a member's joined socket hears `rights` each time,
    so a client showing facilitators' controls by `can_manage` follows the role."""
    carol = connect(world["tokens"]["carol"])
    assert carol.join(world["policy"].id)["rights"]["can_manage"] is False
    api = f"{server.url}/api/v1/groups/{world['group'].id}/members/{world['users']['carol'].id}"
    fatima = {"Authorization": f"Bearer {world['tokens']['fatima']}"}
    for role, manages in (("facilitator", True), ("health", False)):
        changed = requests.patch(api, json={"role": role}, headers=fatima, timeout=10)
        assert changed.status_code == 200, changed.text
        assert wait_for(lambda m=manages: carol.rights and carol.rights[-1]["can_manage"] is m)
    assert len(carol.rights) == 2


def test_removal_from_the_group_disconnects(world, connect, server):
    carol = connect(world["tokens"]["carol"])
    carol.join(world["policy"].id)
    api = f"{server.url}/api/v1/groups/{world['group'].id}/members/{world['users']['carol'].id}"
    r = requests.delete(
        api, headers={"Authorization": f"Bearer {world['tokens']['fatima']}"}, timeout=10
    )
    assert r.status_code == 204
    assert carol.cut_off(5)[0]["reason"] == "removed_from_group"


def test_cross_site_origin_is_refused(world, server):
    """A page on another site cannot open a socket with the visitor's cookie."""
    handshake = f"{server.url}/socket.io/?EIO=4&transport=polling"
    evil = requests.get(handshake, headers={"Origin": "https://evil.example.com"}, timeout=10)
    assert evil.status_code == 400
    same = requests.get(handshake, headers={"Origin": server.url}, timeout=10)
    assert same.status_code == 200


def test_facilitator_inserts_moves_and_deletes_sections_live(world, connect, server):
    fatima, carol = connect(world["tokens"]["fatima"]), connect(world["tokens"]["carol"])
    joined = fatima.join(world["policy"].id)
    assert joined["rights"]["can_manage"] is True
    carol.join(world["policy"].id)
    part_id = joined["sections"][0]["part_id"]
    added = fatima.call(
        "insert_section",
        {
            "part_id": part_id,
            "title": "Appeals",
            "subgroup_id": world["sub"].id,
            "text": "You can appeal. We will reply.",
            "place": {"at": "start"},
        },
    )
    assert added["ok"], added
    assert wait_for(lambda: any(o["op"] == "section_insert" for o in carol.ops))
    op = next(o for o in carol.ops if o["op"] == "section_insert")
    assert [s["text"] for s in op["section"]["sentences"]] == ["You can appeal.", "We will reply."]
    assert op["section"]["position"] < joined["sections"][0]["position"]
    moved = fatima.call(
        "move_section", {"id": added["id"], "place": {"after": world["section"].id}}
    )
    assert moved["ok"], moved
    assert fatima.call("delete_section", {"id": added["id"]})["ok"]
    assert wait_for(lambda: [o["op"] for o in carol.ops][-2:] == ["section_move", "section_delete"])
    assert (
        carol.call("move_section", {"id": world["section"].id, "place": {"at": "end"}})["error"][
            "code"
        ]
        == "forbidden"
    )
    reply = requests.get(
        f"{server.url}/api/v1/policies/{world['policy'].id}",
        headers={"Authorization": f"Bearer {world['tokens']['carol']}"},
        timeout=10,
    ).json()
    titles = [s["title"] for p in reply["parts"] for s in p["sections"]]
    assert titles == ["Budgets"]


def test_text_added_over_http_arrives_live(world, connect, server):
    carol = connect(world["tokens"]["carol"])
    joined = carol.join(world["policy"].id)
    r = requests.post(
        f"{server.url}/api/v1/sections/{world['section'].id}/sentences",
        json={"text": "Ask us. We help."},
        headers={"Authorization": f"Bearer {world['tokens']['alice']}"},
        timeout=10,
    )
    assert r.status_code == 201
    assert wait_for(lambda: len(carol.ops) == 2)
    assert [o["sentence"]["text"] for o in carol.ops] == ["Ask us.", "We help."]
    assert [o["seq"] for o in carol.ops] == [joined["seq"] + 1, joined["seq"] + 2]
    assert all(o["origin"] is None for o in carol.ops)
    assert all(o["by"] == world["users"]["alice"].id for o in carol.ops)  # made over HTTP


def test_rejoining_with_since_replays_exactly_what_was_missed(world, connect):
    alice, bob = connect(world["tokens"]["alice"]), connect(world["tokens"]["bob"])
    joined = alice.join(world["policy"].id)
    s = first_sentence(joined)
    bob.join(world["policy"].id)
    bob.close()
    text = s["text"]
    for n in range(3):
        new = f"{text} {n}"
        assert alice.call(
            "edit_sentence", {"id": s["id"], "base_version": n + 1, "patch": patch(text, new)}
        )["ok"]
        text = new
    again = connect(world["tokens"]["bob"])
    replay = again.join(world["policy"].id, since=joined["seq"])
    assert [o["seq"] for o in replay["ops"]] == [joined["seq"] + i for i in (1, 2, 3)]
    assert replay["ops"][-1]["text"] == text
    fresh = again.join(world["policy"].id, since=10_000)  # from the future: a snapshot
    assert "ops" not in fresh and fresh["sections"][0]["sentences"][0]["text"] == text


def test_a_disabled_account_is_cut_off_even_from_another_process(world, connect, server):
    from tests.cli.test_cli import codraft

    carol = connect(world["tokens"]["carol"])
    carol.join(world["policy"].id)
    codraft("disable-user", "--email", "carol@example.org", instance=server.instance)
    assert carol.disconnected.wait(10)
    gone = requests.get(
        f"{server.url}/api/v1/me",
        headers={"Authorization": f"Bearer {world['tokens']['carol']}"},
        timeout=10,
    )
    assert gone.status_code == 401


def test_joining_another_policy_leaves_the_first(world, connect, make):
    """A socket watches one policy at a time: after joining a second one it gets no
    ops of the first (its rooms are found from the server's index of each socket's
    rooms, realtime.room_index, not by walking every room)."""
    second = make.policy(world["group"], world["users"]["fatima"])
    make.section(second.parts[0], world["users"]["fatima"], world["sub"], "More", "Two here.")
    alice, bob = connect(world["tokens"]["alice"]), connect(world["tokens"]["bob"])
    first = bob.join(world["policy"].id)
    assert alice.join(world["policy"].id)["ok"]
    other = alice.join(second.id)
    assert other["ok"] and other["sections"][0]["title"] == "More"
    s = first_sentence(first)
    ack = bob.call(
        "edit_sentence",
        {"id": s["id"], "base_version": s["version"], "patch": patch(s["text"], "Changed.")},
    )
    assert ack["ok"], ack
    assert wait_for(lambda: any(o["seq"] == ack["seq"] for o in bob.ops))
    assert bob.join(second.id)["ok"]
    mine = first_sentence(other)
    done = bob.call(
        "edit_sentence",
        {"id": mine["id"], "base_version": 1, "patch": patch(mine["text"], "Two now.")},
    )
    assert done["ok"], done
    assert wait_for(lambda: any(o.get("text") == "Two now." for o in alice.ops))
    assert not any(o.get("text") == "Changed." for o in alice.ops)
