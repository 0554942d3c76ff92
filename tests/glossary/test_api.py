"""The glossary over the JSON API: suggest, accept, change, remove, starter list,
history, and bad input that saves nothing."""

from __future__ import annotations

import pytest

from tests.api.support import error


def _add(api, world, token, term="EHCP", explanation="Education, Health and Care Plan."):
    return api.post(
        f"/groups/{world.group}/glossary", token, {"term": term, "explanation": explanation}
    )


def _terms(api, world):
    return api.get(f"/groups/{world.group}/glossary", world.mem).get_json()


def test_member_suggests_and_facilitator_accepts_changes_and_removes(api, world):
    reply = _add(api, world, world.mem, "IASS", "A free advice service about SEND.")
    assert reply.status_code == 201, reply.get_json()
    term = reply.get_json()
    assert term["status"] == "suggested"

    error(api.post(f"/glossary/{term['id']}/accept", world.mem), 403, "forbidden")
    accepted = api.post(f"/glossary/{term['id']}/accept", world.fac)
    assert accepted.status_code == 200
    assert accepted.get_json()["status"] == "accepted"

    changed = api.patch(
        f"/glossary/{term['id']}",
        world.fac,
        {"term": "IASS", "explanation": "Free, confidential advice about SEND."},
    )
    assert changed.status_code == 200
    assert changed.get_json()["explanation"] == "Free, confidential advice about SEND."

    assert api.delete(f"/glossary/{term['id']}", world.fac).status_code == 204
    assert _terms(api, world) == []

    history = api.get(f"/groups/{world.group}/glossary/history", world.mem).get_json()
    assert [h["action"] for h in history] == ["removed", "changed", "accepted", "suggested"]
    assert {h["by_id"] for h in history} == {world.facilitator, world.member}


def test_facilitator_adds_straight_in_and_a_suggestion_can_be_turned_down(api, world):
    assert _add(api, world, world.fac).get_json()["status"] == "accepted"
    suggestion = _add(api, world, world.ed, "LA", "The local authority: the council.").get_json()
    assert api.delete(f"/glossary/{suggestion['id']}", world.fac).status_code == 204
    assert [t["term"] for t in _terms(api, world)] == ["EHCP"]
    actions = [
        h["action"]
        for h in api.get(f"/groups/{world.group}/glossary/history", world.fac).get_json()
    ]
    assert actions[0] == "rejected"


@pytest.mark.parametrize(
    ("term", "explanation", "field"),
    [
        ("", "Something.", "term"),
        ("   ", "Something.", "term"),
        ("x" * 81, "Something.", "term"),
        ("EHCP", "", "explanation"),
        ("EHCP", "y" * 601, "explanation"),
    ],
)
def test_empty_or_too_long_is_refused_and_nothing_saved(api, world, term, explanation, field):
    body = error(_add(api, world, world.fac, term, explanation), 422, "invalid")
    assert field in body["fields"]
    assert _terms(api, world) == []
    assert api.get(f"/groups/{world.group}/glossary/history", world.fac).get_json() == []


def test_duplicate_apart_from_capitals_is_refused(api, world):
    _add(api, world, world.fac, "EHCP")
    body = error(_add(api, world, world.mem, "ehcp", "Another."), 409, "duplicate_term")
    assert "already" in body["message"]
    other = _add(api, world, world.fac, "SEND", "Special educational needs.").get_json()
    error(
        api.patch(f"/glossary/{other['id']}", world.fac, {"term": "Ehcp", "explanation": "x"}),
        409,
        "duplicate_term",
    )
    assert sorted(t["term"] for t in _terms(api, world)) == ["EHCP", "SEND"]


def test_starter_list_is_adopted_once_and_keeps_the_groups_own_wording(api, world):
    _add(api, world, world.fac, "EHCP", "Our own words for it.")
    first = api.post(f"/groups/{world.group}/glossary/starter", world.fac).get_json()
    assert first["added"] >= 15
    again = api.post(f"/groups/{world.group}/glossary/starter", world.fac).get_json()
    assert again["added"] == 0
    terms = {t["term"]: t for t in _terms(api, world)}
    assert terms["EHCP"]["explanation"] == "Our own words for it."
    assert terms["Section F"]["from_starter"] is True
    error(api.post(f"/groups/{world.group}/glossary/starter", world.mem), 403)


def test_anonymous_is_401_and_other_groups_see_nothing(api, world):
    term = _add(api, world, world.fac).get_json()
    error(api.get(f"/groups/{world.group}/glossary"), 401)
    error(api.post(f"/groups/{world.group}/glossary", json={"term": ""}), 401)
    error(api.get(f"/groups/{world.group}/glossary", world.other), 404)
    error(api.delete(f"/glossary/{term['id']}", world.other), 404)
    error(api.delete("/glossary/999999", world.fac), 404)
