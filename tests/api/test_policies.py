"""Policies, parts, sections and adding sentences."""

from __future__ import annotations

import pytest

from tests.api.support import error


@pytest.fixture
def policy(api, world):
    reply = api.post(
        f"/groups/{world.group}/policies",
        world.fac,
        {
            "title": "EHCP Personal Budget",
            "summary": "What you can ask for.",
            "parts": ["Frequently asked questions", "Administration"],
        },
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


@pytest.fixture
def section(api, world, policy):
    reply = api.post(
        f"/parts/{policy['parts'][0]['id']}/sections",
        world.fac,
        {
            "title": "What is a Personal Budget?",
            "kind": "faq",
            "subgroup_id": world.subgroup,
            "text": "It is money for your support. You decide how to use it.",
        },
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def texts(section_body):
    return [s["text"] for s in section_body["sentences"]]


def test_a_facilitator_starts_a_policy_with_parts(api, world, policy):
    assert policy["title"] == "EHCP Personal Budget" and policy["group_id"] == world.group
    assert [p["title"] for p in policy["parts"]] == ["Frequently asked questions", "Administration"]
    assert all(p["sections"] == [] for p in policy["parts"])
    listed = api.get(f"/groups/{world.group}/policies", world.mem).get_json()
    assert [(p["id"], p["title"]) for p in listed] == [(policy["id"], "EHCP Personal Budget")]
    assert "parts" not in listed[0]
    assert api.get(f"/policies/{policy['id']}", world.mem).get_json() == policy


def test_the_whole_policy_reads_in_order(api, world, policy, section):
    first, second = policy["parts"]
    later = api.post(
        f"/parts/{first['id']}/sections",
        world.fac,
        {"title": "Later", "subgroup_id": world.subgroup, "text": "Last."},
    ).get_json()
    earlier = api.post(
        f"/parts/{first['id']}/sections",
        world.fac,
        {"title": "Between", "subgroup_id": world.subgroup, "after_section_id": section["id"]},
    ).get_json()
    middle = api.post(
        f"/policies/{policy['id']}/parts",
        world.fac,
        {"title": "Middle", "after_part_id": first["id"]},
    ).get_json()
    whole = api.get(f"/policies/{policy['id']}", world.mem).get_json()
    assert [p["id"] for p in whole["parts"]] == [first["id"], middle["id"], second["id"]]
    sections = whole["parts"][0]["sections"]
    assert [s["id"] for s in sections] == [section["id"], earlier["id"], later["id"]]
    assert sections[0] == section
    assert section["subgroup"] == {"id": world.subgroup, "name": "Money"}
    assert section["kind"] == "faq" and section["status"] == "drafting"
    assert texts(section) == ["It is money for your support.", "You decide how to use it."]
    assert all(s["version"] == 1 for s in section["sentences"])


def test_policy_changes_are_for_facilitators_of_the_group(api, world, policy):
    path = f"/policies/{policy['id']}"
    error(api.patch(path, world.ed, {"title": "Ours"}), 403)
    error(api.patch(f"/policies/{world.other_policy}", world.fac, {"title": "Ours"}), 404)
    error(api.get(f"/policies/{world.other_policy}", world.fac), 404)
    error(api.get(path, world.other), 404)
    error(api.get(path), 401)
    error(api.post(f"/groups/{world.group}/policies", world.ed, {"title": "Mine"}), 403)
    error(api.post(f"/groups/{world.other_group}/policies", world.fac, {"title": "Mine"}), 404)
    error(api.get(f"/groups/{world.other_group}/policies", world.fac), 404)
    error(api.get("/policies/999999", world.fac), 404)
    for body, field in [
        ({"title": ""}, "title"),
        ({"title": 3}, "title"),
        ({"summary": None}, "summary"),
        ({"parts": []}, "parts"),
    ]:
        assert field in error(api.patch(path, world.fac, body), 422)["fields"]
    assert api.get(path, world.fac).get_json() == policy
    changed = api.patch(path, world.fac, {"title": "<em>New</em> title"}).get_json()
    assert changed["title"] == "<em>New</em> title" and changed["summary"] == policy["summary"]


def test_bad_policy_bodies_are_422(api, world):
    for body, field in [
        ({}, "title"),
        ({"title": "T", "parts": "One"}, "parts"),
        ({"title": "T", "parts": ["One", ""]}, "parts[1]"),
        ({"title": "T", "parts": [1]}, "parts[0]"),
        ({"title": "x" * 201}, "title"),
    ]:
        err = error(api.post(f"/groups/{world.group}/policies", world.fac, body), 422)
        assert field in err["fields"], body
    assert api.get(f"/groups/{world.group}/policies", world.fac).get_json() == []


def test_parts_are_added_changed_and_read(api, world, policy):
    part = api.post(
        f"/policies/{policy['id']}/parts",
        world.fac,
        {"title": "Glossary", "intro": "Words we use.\nAnd why."},
    )
    assert part.status_code == 201
    part = part.get_json()
    assert part["sections"] == [] and part["intro"] == "Words we use.\nAnd why."
    changed = api.patch(f"/parts/{part['id']}", world.fac, {"title": "Words"}).get_json()
    assert changed["title"] == "Words" and changed["intro"] == part["intro"]
    assert api.get(f"/parts/{part['id']}", world.mem).get_json() == changed
    assert [
        p["title"] for p in api.get(f"/policies/{policy['id']}", world.fac).get_json()["parts"]
    ][-1] == "Words"


def test_parts_refused(api, world, policy):
    part = policy["parts"][0]["id"]
    error(api.post(f"/policies/{policy['id']}/parts", world.ed, {"title": "P"}), 403)
    error(api.post(f"/policies/{world.other_policy}/parts", world.fac, {"title": "P"}), 404)
    error(
        api.post(
            f"/policies/{policy['id']}/parts",
            world.fac,
            {"title": "P", "after_part_id": world.other_part},
        ),
        404,
    )
    error(
        api.post(
            f"/policies/{policy['id']}/parts", world.fac, {"title": "P", "after_part_id": "1"}
        ),
        422,
    )
    error(api.patch(f"/parts/{part}", world.ed, {"title": "P"}), 403)
    error(api.patch(f"/parts/{world.other_part}", world.fac, {"title": "P"}), 404)
    error(api.get(f"/parts/{world.other_part}", world.fac), 404)
    error(api.patch(f"/parts/{part}", world.fac, {"intro": 5}), 422)
    assert api.get(f"/policies/{policy['id']}", world.fac).get_json() == policy


def test_sections_are_changed_and_deleted_by_facilitators(api, world, section):
    other = api.post(f"/groups/{world.group}/subgroups", world.fac, {"name": "Other"}).get_json()
    path = f"/sections/{section['id']}"
    error(api.patch(path, world.ed, {"title": "Mine"}), 403)  # editors edit text, not this
    error(api.delete(path, world.ed), 403)
    error(api.patch(path, world.fac, {"subgroup_id": world.other_subgroup}), 422)
    error(api.patch(f"/sections/{world.other_section}", world.fac, {"title": "x"}), 404)
    error(api.delete(f"/sections/{world.other_section}", world.fac), 404)
    assert api.get(path, world.mem).get_json() == section
    moved = api.patch(path, world.fac, {"subgroup_id": other["id"], "title": "Q?"}).get_json()
    assert moved["subgroup"] == {"id": other["id"], "name": "Other"} and moved["title"] == "Q?"
    assert moved["sentences"] == section["sentences"]
    assert api.delete(path, world.fac).status_code == 204
    error(api.get(path, world.fac), 404)
    error(api.delete(path, world.fac), 404)


def test_bad_section_bodies_are_422(api, world, policy):
    part = policy["parts"][0]["id"]
    for body, field in [
        ({}, "title"),
        ({"title": "T"}, "subgroup_id"),
        ({"title": "T", "subgroup_id": 1, "kind": "poem"}, "kind"),
        ({"title": "T", "subgroup_id": "1"}, "subgroup_id"),
        ({"title": "T", "subgroup_id": 1, "text": ["a"]}, "text"),
        ({"title": "T", "subgroup_id": 1, "owner": 1}, "owner"),
    ]:
        err = error(api.post(f"/parts/{part}/sections", world.fac, body), 422)
        assert field in err["fields"], body
    assert api.get(f"/parts/{part}", world.fac).get_json()["sections"] == []


def test_sections_refused(api, world, policy, section):
    part = policy["parts"][0]["id"]
    body = {"title": "T", "subgroup_id": world.subgroup}
    error(api.post(f"/parts/{part}/sections", world.ed, body), 403)
    error(api.post(f"/parts/{world.other_part}/sections", world.fac, body), 404)
    err = error(
        api.post(
            f"/parts/{part}/sections", world.fac, {**body, "subgroup_id": world.other_subgroup}
        ),
        422,
    )
    assert set(err["fields"]) == {"subgroup_id"}
    error(
        api.post(
            f"/parts/{part}/sections", world.fac, {**body, "after_section_id": world.other_section}
        ),
        404,
    )
    error(api.get(f"/sections/{world.other_section}", world.fac), 404)
    assert [s["id"] for s in api.get(f"/parts/{part}", world.fac).get_json()["sections"]] == [
        section["id"]
    ]


def test_sub_group_members_add_sentences_and_others_cannot(api, world, section):
    path = f"/sections/{section['id']}/sentences"
    first, second = section["sentences"]
    reply = api.post(
        path,
        world.ed,
        {"text": "You can <b>also</b> ask. Really?", "after_sentence_id": first["id"]},
    )
    assert reply.status_code == 201
    added = reply.get_json()
    assert [s["text"] for s in added] == ["You can <b>also</b> ask.", "Really?"]
    assert texts(api.get(f"/sections/{section['id']}", world.mem).get_json()) == [
        first["text"],
        "You can <b>also</b> ask.",
        "Really?",
        second["text"],
    ]
    at_end = api.post(path, world.ed, {"text": "The end."}).get_json()
    assert texts(api.get(f"/sections/{section['id']}", world.mem).get_json())[-1] == "The end."
    assert at_end[0]["version"] == 1

    error(api.post(path, world.mem, {"text": "Not mine."}), 403, "forbidden")
    error(api.post(path, world.fac, {"text": "Facilitators are not editors."}), 403)
    error(api.post(f"/sections/{world.other_section}/sentences", world.ed, {"text": "X."}), 404)
    error(api.post(path, world.ed, {"text": "X.", "after_sentence_id": world.other_sentence}), 404)
    assert "text" in error(api.post(path, world.ed, {"text": ""}), 422)["fields"]
    assert "text" in error(api.post(path, world.ed, {"text": "  \n "}), 422)["fields"]
    assert "text" in error(api.post(path, world.ed, {}), 422)["fields"]
    error(api.post(path, None, {"text": "X."}), 401)
    assert len(api.get(f"/sections/{section['id']}", world.mem).get_json()["sentences"]) == 5


def test_a_sentence_longer_than_allowed_is_refused(api, world, section):
    err = error(
        api.post(f"/sections/{section['id']}/sentences", world.ed, {"text": "word " * 500}), 422
    )
    assert set(err["fields"]) == {"text"}


def test_a_section_has_the_shape_live_clients_see(api, world, section, db):
    """The API's section is a superset of the one the live protocol sends."""
    views = pytest.importorskip("server.policies.views")
    from server.policies.models import Section
    from server.policies.services import sentences_of

    row = db.get(Section, section["id"])
    live = views.section_view(row, sentences_of(db, [row.id])[row.id])
    assert live.items() <= section.items()
