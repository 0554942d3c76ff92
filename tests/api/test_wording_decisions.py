"""Who decides a suggestion on wording: the whole group by vote (the default), or the
sub-group that owns the section when the group's rules say so (issue 17)."""

from __future__ import annotations

import pytest

from tests.api.review_support import SUBGROUP_DECIDES_RULES, make_place, texts
from tests.api.support import error

RULES = {k: v for k, v in SUBGROUP_DECIDES_RULES.items() if k != "wording_decided_by"}
NEW_WORDS = "You can ask for a personal budget at any time."


@pytest.fixture
def place(api, world):
    return make_place(api, world)


def subgroup_decides(api, world, value="subgroup"):
    reply = api.call(
        "PUT",
        f"/groups/{world.group}/decision-rules",
        world.fac,
        json={**RULES, "wording_decided_by": value},
    )
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["wording_decided_by"] == value


def suggest(api, world, place, token=None, **body):
    body = body or {"kind": "replace", "sentence_ids": [place.sentences[0]], "text": NEW_WORDS}
    reply = api.post(
        f"/sections/{place.section}/proposals", token or world.mem, {"reason": "Plainer", **body}
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def test_the_rules_default_to_a_vote_and_keep_the_choice_when_left_out(api, world):
    rules = api.get(f"/groups/{world.group}/decision-rules", world.mem).get_json()
    assert rules["wording_decided_by"] == "group"
    subgroup_decides(api, world)
    # A client that does not know the field leaves it as it was.
    reply = api.call("PUT", f"/groups/{world.group}/decision-rules", world.fac, json=RULES)
    assert reply.get_json()["wording_decided_by"] == "subgroup"
    bad = api.call(
        "PUT",
        f"/groups/{world.group}/decision-rules",
        world.fac,
        json={**RULES, "wording_decided_by": "anyone"},
    )
    assert bad.status_code == 422
    assert "wording_decided_by" in bad.get_json()["error"]["fields"]
    again = api.get(f"/groups/{world.group}/decision-rules", world.mem).get_json()
    assert again["wording_decided_by"] == "subgroup"


def test_a_member_of_the_owning_subgroup_accepts_and_it_is_in_the_text(api, world, place):
    subgroup_decides(api, world)
    p = suggest(api, world, place)
    assert p["decided_by"] == "subgroup" and p["decision"] is None
    reply = api.post(f"/proposals/{p['id']}/accept", world.ed)
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert body["status"] == "applied"
    assert body["decision"]["accepted"] is True
    assert body["decision"]["by"] == {"id": world.editor, "name": "Pat Parent"}
    assert body["decision"]["subgroup_id"] == world.subgroup
    assert body["vote"] is None
    assert texts(api, world, place.section)[0] == NEW_WORDS
    # History records it as the suggestion's change.
    history = api.get(f"/sections/{place.section}/history", world.mem).get_json()
    assert any(e.get("cause") == f"proposal:{p['id']}" for e in history["revisions"]), history
    # Decided once: a second decision is refused.
    assert error(api.post(f"/proposals/{p['id']}/decline", world.ed), 409, "not_open")


def test_a_member_of_the_owning_subgroup_declines(api, world, place):
    subgroup_decides(api, world)
    p = suggest(api, world, place)
    body = api.post(f"/proposals/{p['id']}/decline", world.ed).get_json()
    assert body["status"] == "rejected" and body["decision"]["accepted"] is False
    assert texts(api, world, place.section)[0] != NEW_WORDS


def test_someone_outside_the_subgroup_gets_403_and_nothing_changes(api, world, place):
    subgroup_decides(api, world)
    p = suggest(api, world, place, token=world.ed)
    before = texts(api, world, place.section)
    for token in (world.mem, world.fac):  # a facilitator is no exception
        for verb in ("accept", "decline"):
            assert error(api.post(f"/proposals/{p['id']}/{verb}", token), 403, "forbidden")
    after = api.get(f"/proposals/{p['id']}", world.mem).get_json()
    assert after["status"] == "open" and after["decision"] is None
    assert texts(api, world, place.section) == before
    # Outside the group it does not exist.
    assert error(api.post(f"/proposals/{p['id']}/accept", world.other), 404)


def test_under_the_whole_group_rule_it_still_needs_a_vote(api, world, place):
    p = suggest(api, world, place)
    assert p["decided_by"] == "group"
    assert error(api.post(f"/proposals/{p['id']}/accept", world.ed), 409, "vote_needed")
    assert api.get(f"/proposals/{p['id']}", world.mem).get_json()["status"] == "open"
    vote = api.post(f"/proposals/{p['id']}/vote", world.mem)
    assert vote.status_code == 201, vote.get_json()


def test_other_kinds_and_agreeing_stay_whole_group_votes(api, world, place):
    subgroup_decides(api, world)
    wording = suggest(api, world, place)
    assert error(api.post(f"/proposals/{wording['id']}/vote", world.mem), 409, "subgroup_decides")
    removal = suggest(api, world, place, kind="delete", sentence_ids=[place.sentences[1]])
    assert removal["decided_by"] == "group"
    assert error(api.post(f"/proposals/{removal['id']}/accept", world.ed), 409, "vote_needed")
    assert api.post(f"/proposals/{removal['id']}/vote", world.mem).status_code == 201
    ready = api.post(f"/sections/{place.section}/ready", world.ed)
    assert ready.status_code == 201 and ready.get_json()["subject"] == "agreement"
