"""Groups and their members."""

from __future__ import annotations

from tests.api.support import error

SCRIPT = '<script>alert("x")</script> & <b>bold</b>'


def test_anyone_signed_in_creates_a_group_and_facilitates_it(api, world):
    reply = api.post("/groups", world.mem, {"name": "New group", "description": "Why\nwe meet"})
    assert reply.status_code == 201
    group = reply.get_json()
    assert group["name"] == "New group" and group["role"] == "facilitator"
    assert group["description"] == "Why\nwe meet"
    names = {g["name"]: g["role"] for g in api.get("/groups", world.mem).get_json()}
    assert names == {"New group": "facilitator", "Northshire": "health"}
    members = api.get(f"/groups/{group['id']}/members", world.mem).get_json()
    assert [(m["user_id"], m["role"]) for m in members] == [(world.member, "facilitator")]


def test_names_with_markup_are_stored_and_returned_as_literal_text(api, world):
    group = api.post("/groups", world.fac, {"name": SCRIPT}).get_json()
    assert group["name"] == SCRIPT
    assert api.get(f"/groups/{group['id']}", world.fac).get_json()["name"] == SCRIPT


def test_members_see_a_group_and_others_do_not(api, world):
    assert api.get(f"/groups/{world.group}", world.mem).get_json() == {
        "id": world.group,
        "name": "Northshire",
        "description": "",
        "role": "health",
        "created_at": api.get(f"/groups/{world.group}", world.mem).get_json()["created_at"],
    }
    error(api.get(f"/groups/{world.other_group}", world.mem), 404, "not_found")
    error(api.get("/groups/999999", world.mem), 404)
    error(api.get("/groups/99999999999999999999", world.mem), 404)
    error(api.get(f"/groups/{world.group}"), 401)


def test_only_facilitators_change_a_group(api, world):
    path = f"/groups/{world.group}"
    error(api.patch(path, world.ed, {"name": "Mine now"}), 403, "forbidden")
    error(api.patch(f"/groups/{world.other_group}", world.fac, {"name": "Mine now"}), 404)
    error(api.patch(path, world.fac, {"name": ""}), 422)
    error(api.patch(path, world.fac, {"name": "   "}), 422)
    error(api.patch(path, world.fac, {"name": None}), 422)
    error(api.patch(path, world.fac, {"colour": "red"}), 422)
    assert api.get(path, world.fac).get_json()["name"] == "Northshire"
    reply = api.patch(path, world.fac, {"description": "We write the policy together."})
    assert reply.status_code == 200
    assert reply.get_json()["description"] == "We write the policy together."
    assert api.get(path, world.mem).get_json()["name"] == "Northshire"


def test_bad_group_bodies_are_422(api, world):
    for body, field in [
        ({}, "name"),
        ({"name": 7}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "ok", "description": ["x"]}, "description"),
        ({"name": "ok", "id": 3}, "id"),
    ]:
        err = error(api.post("/groups", world.fac, body), 422, "invalid")
        assert field in err["fields"], body
    assert [g["name"] for g in api.get("/groups", world.fac).get_json()] == ["Northshire"]


# --- members -----------------------------------------------------------------------------


def test_members_are_listed_and_emails_shown_only_to_facilitators_and_oneself(api, world):
    path = f"/groups/{world.group}/members"
    as_facilitator = api.get(path, world.fac).get_json()
    assert [(m["display_name"], m["role"], m["role_label"]) for m in as_facilitator] == [
        ("Fran Facilitator", "facilitator", "Facilitator"),
        ("Hana Health", "health", "Health"),
        ("Pat Parent", "parent_carer", "Parent or carer"),
    ]
    assert all(m["email"] for m in as_facilitator)
    as_member = {m["user_id"]: m["email"] for m in api.get(path, world.mem).get_json()}
    assert as_member == {
        world.facilitator: None,
        world.member: "hana@example.org",
        world.editor: None,
    }
    one = api.get(f"{path}/{world.editor}", world.fac).get_json()
    assert one["email"] == "pat@example.org" and one["user_id"] == world.editor
    error(api.get(f"{path}/{world.other_fac}", world.fac), 404)
    error(api.get(path, world.other), 404)


def test_a_facilitator_changes_a_role(api, world):
    path = f"/groups/{world.group}/members/{world.member}"
    reply = api.patch(path, world.fac, {"role": "social_care"})
    assert reply.status_code == 200 and reply.get_json()["role"] == "social_care"
    assert api.get(path, world.mem).get_json()["role"] == "social_care"


def test_role_changes_refused(api, world):
    path = f"/groups/{world.group}/members/{world.member}"
    error(api.patch(path, world.ed, {"role": "facilitator"}), 403)
    error(api.patch(path, world.mem, {"role": "facilitator"}), 403)  # not even for oneself
    error(api.patch(path, world.other, {"role": "facilitator"}), 404)
    error(
        api.patch(
            f"/groups/{world.group}/members/{world.other_fac}", world.fac, {"role": "health"}
        ),
        404,
    )
    assert set(error(api.patch(path, world.fac, {"role": "boss"}), 422)["fields"]) == {"role"}
    assert set(error(api.patch(path, world.fac, {}), 422)["fields"]) == {"role"}
    assert api.get(path, world.fac).get_json()["role"] == "health"


def test_the_last_facilitator_cannot_be_demoted_or_removed(api, world):
    me = f"/groups/{world.group}/members/{world.facilitator}"
    error(api.patch(me, world.fac, {"role": "health"}), 409, "last_facilitator")
    error(api.delete(me, world.fac), 409, "last_facilitator")
    assert api.get(me, world.fac).get_json()["role"] == "facilitator"
    assert len(api.get(f"/groups/{world.group}/members", world.fac).get_json()) == 3
    # With a second facilitator, the first may step down.
    api.patch(f"/groups/{world.group}/members/{world.member}", world.fac, {"role": "facilitator"})
    assert api.patch(me, world.fac, {"role": "education"}).status_code == 200
    error(api.patch(me, world.fac, {"role": "facilitator"}), 403)  # no longer a facilitator


def test_a_facilitator_removes_a_member_from_the_group_and_its_subgroups(api, world):
    path = f"/groups/{world.group}/members/{world.editor}"
    error(api.delete(path, world.mem), 403)
    error(api.delete(path, world.other), 404)
    assert api.get(f"/subgroups/{world.subgroup}/members", world.fac).get_json()
    assert api.delete(path, world.fac).status_code == 204
    error(api.get(path, world.fac), 404)
    assert api.get(f"/subgroups/{world.subgroup}/members", world.fac).get_json() == []
    error(api.get(f"/groups/{world.group}", world.ed), 404)  # they no longer see it
    error(api.delete(path, world.fac), 404)
