"""The socket contract as docs/protocol.md states it, checked from outside with real
clients: line breaks, ids out of range, oversized messages, client ids that are
someone else's, and requests sent again after a reconnect."""

from __future__ import annotations

import pytest

from server.api.schemas import MAX_ID
from tests.realtime.conftest import Live, patch
from tests.realtime.test_sockets import first_sentence, read_text, wait_for


def _seq(client: Live, policy_id: int) -> int:
    return client.join(policy_id)["seq"]


@pytest.mark.parametrize(
    "text", ["Two\nlines.", "Carriage\r\nreturn.", "A\ttab.", "Next\x85line.", "Zero\u200bwidth."]
)
def test_insert_sentence_with_a_line_break_is_refused_bad_text(world, connect, server, text):
    alice = connect(world["tokens"]["alice"])
    joined = alice.join(world["policy"].id)
    before = read_text(server, world["tokens"]["alice"], world["section"].id)
    reply = alice.call(
        "insert_sentence",
        {"section_id": world["section"].id, "text": text, "place": {"at": "end"}, "ref": 1},
    )
    assert reply["ok"] is False and reply["error"]["code"] == "bad_text", reply
    assert read_text(server, world["tokens"]["alice"], world["section"].id) == before
    assert _seq(alice, world["policy"].id) == joined["seq"]


BIG = [2**31, 2**63, 2**64 + 1, 10**30]


@pytest.mark.parametrize("big", BIG)
def test_ids_out_of_range_are_invalid_not_a_traceback(world, connect, server, big):
    """The same bound as the REST API (MAX_ID): beyond it, an `invalid` ack naming
    the field, whatever the event; the socket goes on working."""
    alice = connect(world["tokens"]["alice"])
    assert big > MAX_ID
    assert (
        alice.call("join_policy", {"policy_id": big, "client_id": alice.client_id})["error"]["code"]
        == "invalid"
    )
    joined = alice.join(world["policy"].id)
    s = first_sentence(joined)
    cases = [
        ("presence", {"sentence_id": big}, "sentence_id"),
        ("edit_sentence", {"id": big, "base_version": 1, "patch": "@@ -1 +1 @@"}, "id"),
        ("edit_sentence", {"id": s["id"], "base_version": big, "patch": "x"}, "base_version"),
        ("insert_sentence", {"section_id": big, "text": "Hi.", "place": {"at": "end"}},
         "section_id"),
        ("insert_sentence", {"section_id": world["section"].id, "text": "Hi.",
                             "place": {"after": big}}, "place.after"),
        ("delete_sentence", {"id": s["id"], "base_version": 1, "ref": 2**60}, "ref"),
        ("split_sentence", {"id": s["id"], "base_version": 1, "offset": big}, "offset"),
        ("merge_sentence", {"id": big, "base_version": 1, "into": s["id"],
                            "into_base_version": 1}, "id"),
        ("move_sentence", {"id": s["id"], "place": {"before": big}}, "place.before"),
        ("delete_section", {"id": big}, "id"),
        ("move_section", {"id": big, "place": {"at": "end"}}, "id"),
    ]  # fmt: skip
    for event, payload, field in cases:
        if field == "ref" and big < 2**53:
            continue
        payload = {**payload, "ref": big} if field == "ref" else payload
        reply = alice.call(event, payload)
        assert reply["ok"] is False and reply["error"]["code"] == "invalid", (event, reply)
        assert field in reply["error"]["fields"], (event, reply)
    assert alice.call("join_policy", {"policy_id": world["policy"].id,
                                      "client_id": alice.client_id, "since": big})[
        "error"
    ]["fields"] == {"since": ["Must be greater than or equal to 0 and less than or equal to "
                              f"{MAX_ID}."]}  # fmt: skip
    ack = alice.call(
        "edit_sentence",
        {"id": s["id"], "base_version": 1, "patch": patch(s["text"], s["text"] + " Fine.")},
    )
    assert ack["ok"], ack
    assert read_text(server, world["tokens"]["alice"], world["section"].id)[0].endswith("Fine.")


def test_a_message_over_the_limit_ends_the_connection_and_changes_nothing(world, connect, server):
    """docs/protocol.md: a message over 512 KiB is not read; the server closes the
    connection (the client sees a disconnect), and nothing in it is applied."""
    alice = connect(world["tokens"]["alice"])
    joined = alice.join(world["policy"].id)
    before = read_text(server, world["tokens"]["alice"], world["section"].id)
    big = "x" * (512 * 1024 + 1)
    alice.sio.emit(
        "insert_sentence",
        {"section_id": world["section"].id, "text": big, "place": {"at": "end"}, "ref": 1},
    )
    assert alice.disconnected.wait(10), "the connection stayed open"
    assert read_text(server, world["tokens"]["alice"], world["section"].id) == before
    again = connect(world["tokens"]["alice"])
    assert again.join(world["policy"].id)["seq"] == joined["seq"]
    # Just under the limit is read, and refused by the field's own limit.
    near = "y" * (500 * 1024)
    reply = again.call(
        "insert_sentence",
        {"section_id": world["section"].id, "text": near, "place": {"at": "end"}},
    )
    assert reply["error"]["code"] == "invalid" and "text" in reply["error"]["fields"]


def test_a_client_id_is_bound_to_the_person_who_first_used_it(world, connect):
    """Nobody can join with someone else's client id, so nobody can make ops that
    carry another person's origin."""
    alice, bob = connect(world["tokens"]["alice"]), connect(world["tokens"]["bob"])
    joined = alice.join(world["policy"].id)
    taken = bob.call("join_policy", {"policy_id": world["policy"].id, "client_id": alice.client_id})
    assert taken["ok"] is False and taken["error"]["code"] == "invalid", taken
    assert "client_id" in taken["error"]["fields"]
    s = first_sentence(joined)
    # bob did not join: his edits are refused, and none can carry alice's origin
    refused = bob.call(
        "edit_sentence",
        {"id": s["id"], "base_version": 1, "patch": patch(s["text"], "Forged."), "ref": 1},
    )
    assert refused["error"]["code"] == "not_joined", refused
    # alice herself may use it again (a reconnect)
    again = connect(world["tokens"]["alice"])
    again.client_id = alice.client_id
    assert again.join(world["policy"].id)["ok"]


def test_a_request_sent_again_after_a_reconnect_is_applied_once(world, connect, server):
    """The same (client_id, ref) is acked with the original seq (and id) and changes
    nothing more: an edit and an insert by an editor, a section by a facilitator."""
    carol = connect(world["tokens"]["carol"])
    joined = carol.join(world["policy"].id)
    s = first_sentence(joined)
    plan = {
        "alice": [
            (
                "edit_sentence",
                {"id": s["id"], "base_version": s["version"], "ref": 7,
                 "patch": patch(s["text"], s["text"] + " Once.")},
            ),
            (
                "insert_sentence",
                {"section_id": world["section"].id, "text": "Only once.",
                 "place": {"at": "end"}, "ref": 8},
            ),
        ],
        "fatima": [
            (
                "insert_section",
                {"part_id": joined["sections"][0]["part_id"], "title": "Appeals",
                 "subgroup_id": world["sub"].id, "text": "You can appeal.",
                 "place": {"at": "end"}, "ref": 7},
            ),
        ],
    }  # fmt: skip
    first, client_ids = {}, {}
    for who, requests_ in plan.items():
        sock = connect(world["tokens"][who])
        sock.join(world["policy"].id)
        first[who] = [sock.call(event, data) for event, data in requests_]
        assert all(a["ok"] for a in first[who]), first[who]
        client_ids[who] = sock.client_id
        sock.close()
    last_seq = first["fatima"][-1]["seq"]

    for who, requests_ in plan.items():
        back = connect(world["tokens"][who])
        back.client_id = client_ids[who]
        rejoined = back.join(world["policy"].id, since=joined["seq"])
        assert rejoined["seq"] == last_seq
        again = [back.call(event, data) for event, data in requests_]
        assert again == first[who]
    text = read_text(server, world["tokens"]["carol"], world["section"].id)
    assert text[0] == s["text"] + " Once." and text.count("Only once.") == 1
    after = carol.join(world["policy"].id)
    assert [x["title"] for x in after["sections"]].count("Appeals") == 1
    assert after["seq"] == last_seq
    assert [o["seq"] for o in carol.ops] == list(range(joined["seq"] + 1, last_seq + 1))
    # a new ref is a new request
    back = connect(world["tokens"]["alice"])
    back.client_id = client_ids["alice"]
    back.join(world["policy"].id)
    new = back.call(
        "insert_sentence",
        {"section_id": world["section"].id, "text": "Twice.", "place": {"at": "end"}, "ref": 9},
    )
    assert new["ok"] and new["seq"] == last_seq + 1
    assert wait_for(lambda: any(o["seq"] == new["seq"] for o in carol.ops))


def test_a_request_sent_again_is_answered_as_first_even_where_doing_it_again_is_refused(
    world, connect, server
):
    """An edit acked, then its sentence deleted by someone else: the edit sent again
    after a reconnect would now be refused (`gone`), but it was done, so it is
    answered with its original reply and changes nothing (docs/protocol.md: done
    once per client id and ref)."""
    alice = connect(world["tokens"]["alice"])
    joined = alice.join(world["policy"].id)
    s = first_sentence(joined)
    edit = {
        "id": s["id"],
        "base_version": s["version"],
        "patch": patch(s["text"], s["text"] + " Kept."),
        "ref": 41,
    }
    first = alice.call("edit_sentence", edit)
    assert first["ok"], first
    bob = connect(world["tokens"]["bob"])
    bob.join(world["policy"].id)
    gone = bob.call("delete_sentence", {"id": s["id"], "base_version": s["version"] + 1})
    assert gone["ok"], gone
    client_id = alice.client_id
    alice.close()

    back = connect(world["tokens"]["alice"])
    back.client_id = client_id
    assert back.join(world["policy"].id)["seq"] == gone["seq"]
    assert back.call("edit_sentence", edit) == first
    assert _seq(back, world["policy"].id) == gone["seq"]  # nothing more was done
    # the same edit under a new ref is a new request, and is refused
    refused = back.call("edit_sentence", {**edit, "ref": 42})
    assert refused["error"]["code"] == "gone", refused
