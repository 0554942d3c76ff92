"""Groups, their members, password reset links and invitations."""

from __future__ import annotations

from flask import current_app
from flask_login import current_user

from server import auth
from server.access import group_access
from server.accounts import services as accounts
from server.api.common import (
    ID,
    PUBLIC,
    ApiBlueprint,
    Loaded,
    db,
    member_view,
    page_url,
    sign_in_limit,
)
from server.api.schemas import (
    AcceptedSchema,
    AcceptSchema,
    GroupCreateSchema,
    GroupSchema,
    GroupUpdateSchema,
    InvitationCreateSchema,
    InvitationSchema,
    MemberSchema,
    NewInvitationSchema,
    PublicInvitationSchema,
    ResetLinkSchema,
    RoleSchema,
)
from server.extensions import limiter
from server.groups import services as groups
from server.groups.models import Role
from server.permissions import Action

blp = ApiBlueprint(
    "Groups", "Groups you belong to. Whoever creates a group is its first facilitator."
)
members_blp = ApiBlueprint(
    "Members",
    "Members of a group, named by user id. Roles describe "
    "people; only facilitators manage members.",
)
invitations = ApiBlueprint(
    "Invitations",
    "Single-use links to join a group with a role. No email is sent: pass the link on yourself.",
)


# --- groups ------------------------------------------------------------------------------


@blp.route("/groups", methods=["GET"])
@blp.response(200, GroupSchema(many=True))
@blp.errors(401)
def list_groups():
    """List the groups you belong to, by name"""
    user = auth.me()
    return [Loaded(group, role=m.role) for group, m in groups.groups_of(db(), user.id)]


@blp.route("/groups", methods=["POST"])
@blp.arguments(GroupCreateSchema)
@blp.response(201, GroupSchema)
@blp.errors(401)
def create_group(body):
    """Create a group; you become its facilitator"""
    group = groups.create_group(db(), auth.me(), body["name"], body["description"])
    return Loaded(group, role=Role.FACILITATOR)


@blp.route(f"/groups/<{ID}:group_id>", methods=["GET"])
@blp.response(200, GroupSchema)
@blp.errors(401, 404)
def get_group(group_id):
    """Show a group you belong to"""
    access = group_access(db(), auth.me().id, group_id)
    return Loaded(access.group, role=access.membership.role)


@blp.route(f"/groups/<{ID}:group_id>", methods=["PATCH"])
@blp.arguments(GroupUpdateSchema)
@blp.response(200, GroupSchema)
@blp.errors(401, 403, 404)
def update_group(body, group_id):
    """Rename a group or change its description (facilitators)"""
    access = group_access(db(), auth.me().id, group_id, Action.MANAGE)
    groups.update_group(db(), access.group, **body)
    return Loaded(access.group, role=access.membership.role)


# --- members -----------------------------------------------------------------------------


@members_blp.route(f"/groups/<{ID}:group_id>/members", methods=["GET"])
@members_blp.response(200, MemberSchema(many=True))
@members_blp.errors(401, 404)
def list_members(group_id):
    """List the members of a group, by name"""
    access = group_access(db(), auth.me().id, group_id)
    return [member_view(m, access.membership) for m in groups.members(db(), group_id)]


@members_blp.route(f"/groups/<{ID}:group_id>/members/<{ID}:user_id>", methods=["GET"])
@members_blp.response(200, MemberSchema)
@members_blp.errors(401, 404)
def get_member(group_id, user_id):
    """Show one member of a group"""
    access = group_access(db(), auth.me().id, group_id)
    return member_view(groups.get_member(db(), group_id, user_id), access.membership)


@members_blp.route(f"/groups/<{ID}:group_id>/members/<{ID}:user_id>", methods=["PATCH"])
@members_blp.arguments(RoleSchema)
@members_blp.response(200, MemberSchema)
@members_blp.errors(401, 403, 404, 409)
def change_role(body, group_id, user_id):
    """Change a member's role (facilitators)

    A group always keeps at least one facilitator: demoting the last one is a 409
    with code `last_facilitator`, and nothing changes.
    """
    access = group_access(db(), auth.me().id, group_id, Action.MANAGE)
    member = groups.change_role(db(), groups.get_member(db(), group_id, user_id), body["role"])
    return member_view(member, access.membership)


@members_blp.route(f"/groups/<{ID}:group_id>/members/<{ID}:user_id>", methods=["DELETE"])
@members_blp.response(204)
@members_blp.errors(401, 403, 404, 409)
def remove_member(group_id, user_id):
    """Remove a member from the group and its sub-groups (facilitators)

    Removing the last facilitator is a 409 with code `last_facilitator`.
    """
    group_access(db(), auth.me().id, group_id, Action.MANAGE)
    groups.remove_member(db(), groups.get_member(db(), group_id, user_id))


@members_blp.route(
    f"/groups/<{ID}:group_id>/members/<{ID}:user_id>/password-reset", methods=["POST"]
)
@members_blp.response(201, ResetLinkSchema)
@members_blp.errors(401, 403, 404)
def create_password_reset(group_id, user_id):
    """Make a single-use password reset link for a member (facilitators)

    Hand the link to the member; it opens the page /reset/<token>, or a program can
    POST /password-resets/{token}. Any earlier unused link for them stops working.
    """
    access = group_access(db(), auth.me().id, group_id, Action.MANAGE)
    member = groups.get_member(db(), group_id, user_id)
    token, row = accounts.create_password_reset(
        db(), member.user, access.membership.user, current_app.config["RESET_LIFETIME"]
    )
    return Loaded(row, token=token, url=page_url(f"/reset/{token}"))


# --- invitations ---------------------------------------------------------------------


@invitations.route(f"/groups/<{ID}:group_id>/invitations", methods=["GET"])
@invitations.response(200, InvitationSchema(many=True))
@invitations.errors(401, 403, 404)
def list_invitations(group_id):
    """List a group's invitations that can still be accepted, newest first (facilitators)"""
    group_access(db(), auth.me().id, group_id, Action.MANAGE)
    return groups.pending_invitations(db(), group_id)


@invitations.route(f"/groups/<{ID}:group_id>/invitations", methods=["POST"])
@invitations.arguments(InvitationCreateSchema)
@invitations.response(201, NewInvitationSchema)
@invitations.errors(401, 403, 404, 409)
def create_invitation(body, group_id):
    """Invite someone to join with a role (facilitators)

    The reply holds the link (`url`, the page /invitations/<token>) only this once:
    pass it to the person. It works once and expires (by default after a week).
    Inviting someone who is already a member is a 409 (`already_member`).
    """
    access = group_access(db(), auth.me().id, group_id, Action.MANAGE)
    token, row = groups.invite(
        db(),
        access.group,
        access.membership.user,
        body["email"],
        body["role"],
        current_app.config["INVITATION_LIFETIME"],
        body["display_name"],
    )
    return Loaded(row, token=token, url=page_url(f"/invitations/{token}"))


@invitations.route(f"/groups/<{ID}:group_id>/invitations/<{ID}:invitation_id>", methods=["DELETE"])
@invitations.response(204)
@invitations.errors(401, 403, 404)
def revoke_invitation(group_id, invitation_id):
    """Withdraw an invitation so its link stops working (facilitators)"""
    group_access(db(), auth.me().id, group_id, Action.MANAGE)
    groups.revoke_invitation(db(), group_id, invitation_id)


@invitations.route("/invitations/<string(maxlength=100):token>", methods=["GET"])
@invitations.response(200, PublicInvitationSchema)
@invitations.errors(404, 410)
@invitations.doc(**PUBLIC)
def show_invitation(token):
    """Show what an invitation link offers (no token needed)

    Expired: 410 `invitation_expired`; used or withdrawn: 410 `invitation_used`;
    unknown: 404.
    """
    return groups.live_invitation(db(), token)


@invitations.route("/invitations/<string(maxlength=100):token>/accept", methods=["POST"])
@limiter.limit(sign_in_limit)
@invitations.arguments(AcceptSchema)
@invitations.response(201, AcceptedSchema)
@invitations.errors(401, 404, 409, 410, 429)
@invitations.doc(**PUBLIC)
def accept_invitation(body, token):
    """Accept an invitation and join the group

    A new person sends `display_name` (or keeps the suggested one) and `password`;
    their account is made. If an account with the invited email exists, send its
    password, or call with that account's own token. Then POST /tokens to sign in.
    """
    user, membership = groups.accept_invitation(
        db(),
        token,
        display_name=body["display_name"],
        password=body["password"],
        signed_in=current_user.user,
    )
    return {"user": user, "membership": membership}
