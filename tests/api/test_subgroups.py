"""Sub-groups and their members."""

from __future__ import annotations

from tests.api.support import error


def names(api, world):
    return [s["name"] for s in api.get(f"/groups/{world.group}/subgroups", world.fac).get_json()]


def test_a_facilitator_creates_renames_and_deletes_a_subgroup(api, world):
    reply = api.post(
        f"/groups/{world.group}/subgroups",
        world.fac,
        {"name": "Access", "description": "Who can get one"},
    )
    assert reply.status_code == 201
    sub = reply.get_json()
    assert sub["group_id"] == world.group and sub["description"] == "Who can get one"
    assert names(api, world) == ["Access", "Money"]
    assert api.get(f"/subgroups/{sub['id']}", world.mem).get_json()["name"] == "Access"
    renamed = api.patch(f"/subgroups/{sub['id']}", world.fac, {"name": "Access & <b>rights</b>"})
    assert renamed.get_json()["name"] == "Access & <b>rights</b>"
    assert api.delete(f"/subgroups/{sub['id']}", world.fac).status_code == 204
    error(api.get(f"/subgroups/{sub['id']}", world.fac), 404)
    assert names(api, world) == ["Money"]


def test_subgroup_names_are_unique_in_a_group_ignoring_case(api, world):
    error(
        api.post(f"/groups/{world.group}/subgroups", world.fac, {"name": "MONEY"}), 409, "conflict"
    )
    other = api.post(f"/groups/{world.group}/subgroups", world.fac, {"name": "Other"}).get_json()
    error(api.patch(f"/subgroups/{other['id']}", world.fac, {"name": "money"}), 409)
    assert names(api, world) == ["Money", "Other"]
    # The same name in another group is fine.
    assert (
        api.post(
            f"/groups/{world.other_group}/subgroups", world.other, {"name": "Money"}
        ).status_code
        == 201
    )


def test_subgroups_refused(api, world):
    path = f"/groups/{world.group}/subgroups"
    error(api.post(path, world.ed, {"name": "Mine"}), 403)
    error(api.post(path, world.other, {"name": "Mine"}), 404)
    error(api.get(path, world.other), 404)
    error(api.get(path), 401)
    error(api.get(f"/subgroups/{world.other_subgroup}", world.fac), 404)
    error(api.patch(f"/subgroups/{world.subgroup}", world.ed, {"name": "Ours"}), 403)
    error(api.patch(f"/subgroups/{world.other_subgroup}", world.fac, {"name": "Ours"}), 404)
    error(api.delete(f"/subgroups/{world.subgroup}", world.ed), 403)
    error(api.delete(f"/subgroups/{world.other_subgroup}", world.fac), 404)
    error(api.get("/subgroups/999999", world.fac), 404)
    assert set(error(api.post(path, world.fac, {"name": ""}), 422)["fields"]) == {"name"}
    assert set(error(api.post(path, world.fac, {"name": 1}), 422)["fields"]) == {"name"}
    assert names(api, world) == ["Money"]


def test_a_subgroup_that_owns_sections_cannot_be_deleted(api, world):
    policy = api.post(
        f"/groups/{world.group}/policies", world.fac, {"title": "P", "parts": ["One"]}
    ).get_json()
    api.post(
        f"/parts/{policy['parts'][0]['id']}/sections",
        world.fac,
        {"title": "S", "subgroup_id": world.subgroup},
    )
    error(api.delete(f"/subgroups/{world.subgroup}", world.fac), 409, "subgroup_in_use")
    assert names(api, world) == ["Money"]


def test_a_facilitator_puts_members_in_and_out_of_a_subgroup(api, world):
    path = f"/subgroups/{world.subgroup}/members"
    assert [m["user_id"] for m in api.get(path, world.mem).get_json()] == [world.editor]
    reply = api.post(path, world.fac, {"user_id": world.member})
    assert reply.status_code == 201
    assert reply.get_json()["display_name"] == "Hana Health"
    assert [m["display_name"] for m in api.get(path, world.mem).get_json()] == [
        "Hana Health",
        "Pat Parent",
    ]
    error(api.post(path, world.fac, {"user_id": world.member}), 409, "already_member")
    assert api.delete(f"{path}/{world.member}", world.fac).status_code == 204
    error(api.delete(f"{path}/{world.member}", world.fac), 404)
    assert [m["user_id"] for m in api.get(path, world.fac).get_json()] == [world.editor]


def test_bad_subgroup_member_bodies(api, world):
    path = f"/subgroups/{world.subgroup}/members"
    for body in [{}, {"user_id": "3"}, {"user_id": 0}, {"user_id": 2**40}, {"user_id": None}]:
        assert set(error(api.post(path, world.fac, body), 422)["fields"]) == {"user_id"}, body
    error(api.post(path, world.fac, {"user_id": 999999}), 404)
    assert [m["user_id"] for m in api.get(path, world.fac).get_json()] == [world.editor]


def test_subgroup_membership_refused(api, world):
    path = f"/subgroups/{world.subgroup}/members"
    error(api.post(path, world.fac, {"user_id": world.other_fac}), 404)  # not in this group
    error(api.post(path, world.ed, {"user_id": world.member}), 403)
    error(api.delete(f"{path}/{world.editor}", world.ed), 403)
    error(api.post(path, world.other, {"user_id": world.other_fac}), 404)
    error(api.get(f"/subgroups/{world.other_subgroup}/members", world.fac), 404)
    assert [m["user_id"] for m in api.get(path, world.fac).get_json()] == [world.editor]
