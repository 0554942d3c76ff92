"""Hints through the API and pages: per sentence, dismissing one for a sentence, the
policy summary and its change since the last session, and the session pack line."""

from __future__ import annotations

import time

import pytest

from tests.api.support import error
from tests.conftest import sign_in
from tests.web.conftest import post, text

TEXT = (
    "The decision will be made by the panel. "
    "Parents can ask the LA for help. "
    "You can ask us at any time."
)


@pytest.fixture
def policy(api, world):
    found = api.post(
        f"/groups/{world.group}/policies", world.fac, {"title": "Budgets", "parts": ["FAQ"]}
    ).get_json()
    section = api.post(
        f"/parts/{found['parts'][0]['id']}/sections",
        world.fac,
        {"title": "Deciding", "subgroup_id": world.subgroup, "text": TEXT},
    ).get_json()
    return found, section


def _hints(api, world, section):
    reply = api.get(f"/sections/{section['id']}/hints", world.mem)
    assert reply.status_code == 200, reply.get_json()
    return {s["id"]: s for s in reply.get_json()["sentences"]}


def test_section_hints_per_sentence(api, world, policy):
    _policy, section = policy
    ids = [s["id"] for s in section["sentences"]]
    found = _hints(api, world, section)
    assert [h["code"] for h in found[ids[0]]["hints"]] == ["passive"]
    assert {h["code"] for h in found[ids[1]]["hints"]} == {"not_to_reader", "jargon"}
    assert found[ids[2]]["hints"] == []
    assert all(found[i]["version"] == 1 for i in ids)


def test_owning_subgroup_dismisses_and_restores_a_hint(api, world, policy):
    _policy, section = policy
    sid = section["sentences"][0]["id"]
    path = f"/sentences/{sid}/dismissed-hints/passive"
    error(api.call("PUT", path, world.mem), 403, "forbidden")  # not in the sub-group
    error(api.call("PUT", path, world.other), 404)
    error(api.call("PUT", path), 401)
    error(api.call("PUT", f"/sentences/{sid}/dismissed-hints/nonsense", world.ed), 422)

    reply = api.call("PUT", path, world.ed)
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["hints"] == [] and reply.get_json()["dismissed"] == ["passive"]
    assert _hints(api, world, section)[sid]["hints"] == []  # for everyone

    back = api.call("DELETE", path, world.ed).get_json()
    assert [h["code"] for h in back["hints"]] == ["passive"]


def test_dismiss_with_the_page_form(api, client, world, policy):
    _policy, section = policy
    sid = section["sentences"][0]["id"]
    sign_in(client, "pat@example.org")
    page = text(client.get(f"/sections/{section['id']}"))
    assert f'data-hints-section="{section["id"]}"' in page
    assert 'data-hints-can-dismiss="true"' in page
    reply = post(client, f"/sentences/{sid}/dismissed-hints/passive")
    assert reply.status_code == 302
    assert reply.headers["Location"].endswith(f"#sentence-{sid}")
    assert _hints(api, world, section)[sid]["dismissed"] == ["passive"]


def test_page_form_refuses_a_member_outside_the_subgroup(client, world, policy):
    _policy, section = policy
    sid = section["sentences"][0]["id"]
    sign_in(client, "hana@example.org")
    assert 'data-hints-can-dismiss="false"' in text(client.get(f"/sections/{section['id']}"))
    assert post(client, f"/sentences/{sid}/dismissed-hints/passive").status_code == 403


def test_policy_summary_and_change_since_the_last_session(api, world, policy):
    found, section = policy
    summary = api.get(f"/policies/{found['id']}/plain-language", world.mem).get_json()
    assert summary["sentences"] == 3 and summary["flagged"] == 2
    assert summary["hints"]["passive"] == {"sentences": 1, "share": 0.333}
    assert summary["since_last_session"] is None
    assert summary["since_last_release"] is None
    assert summary["sections"][0]["section_id"] == section["id"]

    meeting = api.post(
        f"/groups/{world.group}/sessions",
        world.fac,
        {"title": "March meeting", "starts_at": "2026-03-01T10:00:00Z"},
    ).get_json()
    assert api.post(f"/sessions/{meeting['id']}/start", world.fac).status_code == 200
    assert api.post(f"/sessions/{meeting['id']}/close", world.fac).status_code == 200
    time.sleep(0.01)
    added = api.post(
        f"/sections/{section['id']}/sentences", world.ed, {"text": "It was sent by the council."}
    )
    assert added.status_code == 201, added.get_json()

    summary = api.get(f"/policies/{found['id']}/plain-language", world.mem).get_json()
    change = summary["since_last_session"]
    assert change["since"] == "the session “March meeting”"
    assert change["flagged"] == 1
    assert change["then"]["flagged"] == 2


def test_policy_page_and_pack_show_the_summary(api, client, world, policy):
    found, _section = policy
    sign_in(client, "hana@example.org")
    page = text(client.get(f"/policies/{found['id']}"))
    assert "Plain language" in page and "2 of 3 sentences" in page
    assert "Plain language: 2 sentences to look at" in page
    meeting = api.post(
        f"/groups/{world.group}/sessions",
        world.fac,
        {"title": "April meeting", "starts_at": "2026-04-01T10:00:00Z"},
    ).get_json()
    pack = text(client.get(f"/sessions/{meeting['id']}/pack"))
    assert "Plain language: 2 sentences to look at in section 1 (Deciding)" in pack


def test_policy_summary_compares_with_the_latest_release(api, world, policy):
    """The change since the last release compares with the released text, and a
    release's text stays what it was when later sentences are added."""
    found, section = policy
    released = api.post(f"/policies/{found['id']}/releases", world.fac, {"note": "First."})
    assert released.status_code == 201, released.get_json()
    added = api.post(
        f"/sections/{section['id']}/sentences", world.ed, {"text": "It was sent by the council."}
    )
    assert added.status_code == 201, added.get_json()

    change = api.get(f"/policies/{found['id']}/plain-language", world.mem).get_json()[
        "since_last_release"
    ]
    assert change["since"] == "version 1"
    assert change["then"]["sentences"] == 3 and change["then"]["flagged"] == 2
    assert change["flagged"] == 1  # the passive sentence added since
