"""Sub-groups (project groups) and who is in them. Members of a sub-group edit the
text of the sections it owns."""

from __future__ import annotations

from server import auth
from server.access import group_access, subgroup_access
from server.api.common import ID, ApiBlueprint, db, member_view
from server.api.schemas import (
    MemberSchema,
    SubgroupCreateSchema,
    SubgroupMemberAddSchema,
    SubgroupSchema,
    SubgroupUpdateSchema,
)
from server.groups import services as groups
from server.permissions import Action

blp = ApiBlueprint(
    "Subgroups",
    "Sub-groups (project groups) of a group. Facilitators manage "
    "them; their members edit the text of the sections they own.",
)


@blp.route(f"/groups/<{ID}:group_id>/subgroups", methods=["GET"])
@blp.response(200, SubgroupSchema(many=True))
@blp.errors(401, 404)
def list_subgroups(group_id):
    """List a group's sub-groups, by name"""
    return group_access(db(), auth.me().id, group_id).group.subgroups


@blp.route(f"/groups/<{ID}:group_id>/subgroups", methods=["POST"])
@blp.arguments(SubgroupCreateSchema)
@blp.response(201, SubgroupSchema)
@blp.errors(401, 403, 404, 409)
def create_subgroup(body, group_id):
    """Create a sub-group (facilitators)

    Names are unique within a group, ignoring case: a clash is a 409.
    """
    access = group_access(db(), auth.me().id, group_id, Action.MANAGE)
    return groups.create_subgroup(db(), access.group, body["name"], body["description"])


@blp.route(f"/subgroups/<{ID}:subgroup_id>", methods=["GET"])
@blp.response(200, SubgroupSchema)
@blp.errors(401, 404)
def get_subgroup(subgroup_id):
    """Show a sub-group"""
    subgroup, _access = subgroup_access(db(), auth.me().id, subgroup_id)
    return subgroup


@blp.route(f"/subgroups/<{ID}:subgroup_id>", methods=["PATCH"])
@blp.arguments(SubgroupUpdateSchema)
@blp.response(200, SubgroupSchema)
@blp.errors(401, 403, 404, 409)
def update_subgroup(body, subgroup_id):
    """Rename a sub-group or change its description (facilitators)"""
    subgroup, _access = subgroup_access(db(), auth.me().id, subgroup_id, Action.MANAGE)
    return groups.update_subgroup(db(), subgroup, **body)


@blp.route(f"/subgroups/<{ID}:subgroup_id>", methods=["DELETE"])
@blp.response(204)
@blp.errors(401, 403, 404, 409)
def delete_subgroup(subgroup_id):
    """Delete a sub-group (facilitators)

    A sub-group that still owns sections cannot be deleted (409 `subgroup_in_use`):
    give its sections to another sub-group first.
    """
    subgroup, _access = subgroup_access(db(), auth.me().id, subgroup_id, Action.MANAGE)
    groups.delete_subgroup(db(), subgroup)


@blp.route(f"/subgroups/<{ID}:subgroup_id>/members", methods=["GET"])
@blp.response(200, MemberSchema(many=True))
@blp.errors(401, 404)
def list_subgroup_members(subgroup_id):
    """List the members of a sub-group, by name"""
    subgroup, access = subgroup_access(db(), auth.me().id, subgroup_id)
    return [member_view(m, access.membership) for m in groups.subgroup_members(db(), subgroup.id)]


@blp.route(f"/subgroups/<{ID}:subgroup_id>/members", methods=["POST"])
@blp.arguments(SubgroupMemberAddSchema)
@blp.response(201, MemberSchema)
@blp.errors(401, 403, 404, 409)
def add_subgroup_member(body, subgroup_id):
    """Add a member of the group to a sub-group (facilitators)

    `user_id` must name a member of the same group (404 otherwise); someone already
    in the sub-group is a 409 (`already_member`).
    """
    subgroup, access = subgroup_access(db(), auth.me().id, subgroup_id, Action.MANAGE)
    member = groups.get_member(db(), subgroup.group_id, body["user_id"])
    groups.add_to_subgroup(db(), subgroup, member)
    return member_view(member, access.membership)


@blp.route(f"/subgroups/<{ID}:subgroup_id>/members/<{ID}:user_id>", methods=["DELETE"])
@blp.response(204)
@blp.errors(401, 403, 404)
def remove_subgroup_member(subgroup_id, user_id):
    """Take a member out of a sub-group (facilitators)"""
    subgroup, _access = subgroup_access(db(), auth.me().id, subgroup_id, Action.MANAGE)
    groups.remove_from_subgroup(db(), subgroup, groups.get_member(db(), subgroup.group_id, user_id))
