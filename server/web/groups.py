"""Pages for groups: home, the group dashboard, members and invitations, and
sub-groups (project groups)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from server import auth
from server.access import Access, group_access, subgroup_access
from server.accounts import services as accounts
from server.accounts.models import User
from server.errors import DomainError, Gone, NotFound
from server.groups import services as groups
from server.groups.models import Role
from server.permissions import Action, allows
from server.policies import services as policies
from server.review import counts as review_counts
from server.text.dates import day_in_words
from server.web import times
from server.web.blueprint import bp
from server.web.forms import (
    PASSWORD_HINT,
    ROLE_HINTS,
    GroupForm,
    InviteForm,
    JoinAsNewForm,
    JoinSignedInForm,
    JoinWithPasswordForm,
    RoleForm,
    SubgroupForm,
    SubgroupMemberForm,
)
from server.web.helpers import attach, db, form_failed, invalid, my_id, shown_once

# --- home ------------------------------------------------------------------------------


def _home(form: GroupForm, status: int = 200):
    return render_template(
        "groups/home.html", form=form, memberships=groups.groups_of(db(), my_id())
    ), status


@bp.get("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("web.sign_in"))
    return _home(GroupForm(formdata=None))


@bp.post("/groups")
def create_group():
    user = auth.me()
    form = GroupForm()
    if not form.validate():
        return _home(form, 422)
    try:
        group = groups.create_group(db(), user, form.name.data, form.description.data or "")
    except DomainError as exc:
        attach(form, exc)
        return _home(form, exc.status)
    flash(
        f"You created the group {group.name}. You are its facilitator, so you can "
        "invite people now.",
        "success",
    )
    return redirect(url_for("web.group", group_id=group.id))


# --- the group dashboard ---------------------------------------------------------------


@bp.get("/groups/<int:group_id>")
def group(group_id: int):
    access = group_access(db(), my_id(), group_id)
    subgroups = [(sub, groups.subgroup_members(db(), sub.id)) for sub in access.group.subgroups]
    mine = groups.subgroups_of(db(), access.membership)
    return render_template(
        "groups/group.html",
        # A member who has not taken part yet is told where to start.
        start=None
        if review_counts.has_taken_part(db(), my_id(), group_id)
        else {"sections": groups.sections_owned(db(), mine)},
        group=access.group,
        me=access.membership,
        can_manage=allows(db(), access.membership, Action.MANAGE),
        members=groups.members(db(), group_id),
        subgroups=subgroups,
        my_subgroups=mine,
        policies=policies.policies_of(db(), group_id),
    )


# --- members and invitations -------------------------------------------------------------


def _members_page(
    access: Access,
    invite_form: InviteForm | None = None,
    *,
    error: str | None = None,
    status: int = 200,
    new_invitation: dict | None = None,
    new_reset: dict | None = None,
):
    return shown_once(
        "groups/members.html",
        status,
        group=access.group,
        me=access.membership,
        form=invite_form or InviteForm(formdata=None),
        error=error,
        role_hints=ROLE_HINTS,
        roles=list(Role),
        members=groups.members(db(), access.group.id),
        invitations=groups.pending_invitations(db(), access.group.id),
        new_invitation=new_invitation,
        new_reset=new_reset,
        lifetime_days=current_app.config["INVITATION_LIFETIME"].days,
    )


def _manage(group_id: int) -> Access:
    return group_access(db(), my_id(), group_id, Action.MANAGE)


@bp.get("/groups/<int:group_id>/members")
def members(group_id: int):
    return _members_page(_manage(group_id))


@bp.post("/groups/<int:group_id>/invitations")
def invite(group_id: int):
    access = _manage(group_id)
    form = InviteForm()
    if not form.validate():
        return _members_page(access, form, status=422)
    try:
        token, invitation = groups.invite(
            db(),
            access.group,
            auth.me(),
            form.email.data,
            form.role.data,
            current_app.config["INVITATION_LIFETIME"],
            form.display_name.data or "",
        )
    except DomainError as exc:
        attach(form, exc)
        return _members_page(access, form, status=exc.status)
    # The link is in this reply only (see shown_once), never in the session cookie.
    link = {
        "url": url_for("web.invitation", token=token, _external=True),
        "email": invitation.email,
        "role": invitation.role.label,
        "expires": day_in_words(invitation.expires_at),
    }
    return _members_page(access, status=201, new_invitation=link)


@bp.post("/groups/<int:group_id>/invitations/<int:invitation_id>/revoke")
def revoke_invitation(group_id: int, invitation_id: int):
    _manage(group_id)
    groups.revoke_invitation(db(), group_id, invitation_id)
    flash("The invitation is cancelled. Its link no longer works.", "success")
    return redirect(url_for("web.members", group_id=group_id))


@bp.post("/groups/<int:group_id>/members/<int:user_id>/role")
def change_role(group_id: int, user_id: int):
    access = _manage(group_id)
    membership = groups.get_member(db(), group_id, user_id)
    form = RoleForm()
    if not form.validate():
        return _members_page(access, error=form.role.errors[0], status=422)
    try:
        groups.change_role(db(), membership, form.role.data)
    except DomainError as exc:
        return _members_page(access, error=exc.message, status=exc.status)
    name = membership.user.display_name
    flash(f"{name}'s role is now: {membership.role.label}.", "success")
    if user_id == access.membership.user_id and not membership.is_facilitator:
        return redirect(url_for("web.group", group_id=group_id))
    return redirect(url_for("web.members", group_id=group_id))


@bp.route("/groups/<int:group_id>/members/<int:user_id>/remove", methods=["GET", "POST"])
def remove_member(group_id: int, user_id: int):
    access = _manage(group_id)
    membership = groups.get_member(db(), group_id, user_id)
    if request.method == "GET":
        return render_template(
            "groups/remove_member.html",
            group=access.group,
            member=membership,
            is_me=user_id == access.membership.user_id,
        )
    name = membership.user.display_name
    try:
        groups.remove_member(db(), membership)
    except DomainError as exc:
        return _members_page(access, error=exc.message, status=exc.status)
    if user_id == access.membership.user_id:
        flash(f"You left {access.group.name}.", "success")
        return redirect(url_for("web.home"))
    flash(f"{name} is no longer a member of this group.", "success")
    return redirect(url_for("web.members", group_id=group_id))


@bp.post("/groups/<int:group_id>/members/<int:user_id>/reset-link")
def password_reset_link(group_id: int, user_id: int):
    access = _manage(group_id)
    membership = groups.get_member(db(), group_id, user_id)
    token, reset = accounts.create_password_reset(
        db(), membership.user, auth.me(), current_app.config["RESET_LIFETIME"]
    )
    link = {
        "url": url_for("web.reset_password", token=token, _external=True),
        "name": membership.user.display_name,
        "expires": times.when(reset.expires_at),
    }
    return _members_page(access, status=201, new_reset=link)


# --- accepting an invitation ----------------------------------------------------------------

_JOIN_FORMS = {
    "new": JoinAsNewForm,
    "existing": JoinWithPasswordForm,
    "signed_in": JoinSignedInForm,
    "other": JoinSignedInForm,
}


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str):
    try:
        inv = groups.live_invitation(db(), token)
    except (NotFound, Gone) as exc:
        return render_template(
            "link_unavailable.html", message=exc.message, what="invitation"
        ), exc.status
    account = accounts.user_by_email(db(), inv.email)
    signed_in = current_user.user if current_user.is_authenticated else None
    if signed_in is not None:
        mode = "signed_in" if account is not None and signed_in.id == account.id else "other"
    else:
        mode = "existing" if account is not None else "new"
    form = _JOIN_FORMS[mode]()
    if mode == "new" and not form.is_submitted():
        form.display_name.data = inv.display_name
    inviter = db().get(User, inv.created_by_id) if inv.created_by_id else None
    context = {
        "invitation": inv,
        "mode": mode,
        "inviter": inviter,
        "signed_in": signed_in,
        "password_hint": PASSWORD_HINT,
    }
    template = "groups/invitation.html"
    if not form.is_submitted():
        return render_template(template, form=form, **context)
    if mode == "other":
        form.form_errors.append("This invitation is for someone else. Sign out first.")
        return render_template(template, form=form, **context), 409
    if not form.validate():
        return invalid(template, form, **context)
    try:
        user, membership = groups.accept_invitation(
            db(),
            token,
            signed_in=signed_in,
            display_name=form.data.get("display_name") or "",
            password=form.data.get("password") or "",
        )
    except DomainError as exc:
        return form_failed(template, form, exc, **context)
    if signed_in is None:
        auth.sign_in(user)
    flash(f"Welcome to {inv.group.name}. You joined as: {membership.role.label}.", "success")
    return redirect(url_for("web.group", group_id=inv.group_id))


# --- sub-groups ---------------------------------------------------------------------------


# The sub-groups page is bounded: a page of sub-groups, a few members shown on each
# card, and no list of everyone to add. Adding someone goes through a search
# (`/subgroups/<id>/members?q=`) that lists at most MATCHES_SHOWN people, each with
# its own Add button: plain forms, no script needed. (A <select> of every member in
# every card once made 524 MB of HTML.)
SUBGROUPS_PER_PAGE = 20
MEMBERS_SHOWN = 30
MATCHES_SHOWN = 20


def _page_arg() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < len(value) < 7 else 1


def _subgroups_page(
    access: Access,
    *,
    create_form: SubgroupForm | None = None,
    edit_forms: dict | None = None,
    add_forms: dict | None = None,
    error: str | None = None,
    open_id: int | None = None,
    status: int = 200,
    page: int | None = None,
):
    subs = list(access.group.subgroups)
    pages = max(1, -(-len(subs) // SUBGROUPS_PER_PAGE))
    if page is None and open_id is not None:
        ids = [sub.id for sub in subs]
        page = ids.index(open_id) // SUBGROUPS_PER_PAGE + 1 if open_id in ids else 1
    page = min(max(page or _page_arg(), 1), pages)
    rows = []
    for sub in subs[(page - 1) * SUBGROUPS_PER_PAGE : page * SUBGROUPS_PER_PAGE]:
        in_it = groups.subgroup_members(db(), sub.id)
        edit = (edit_forms or {}).get(sub.id) or SubgroupForm(
            formdata=None, prefix=f"sg{sub.id}", obj=sub
        )
        rows.append(
            {
                "sub": sub,
                "members": in_it[:MEMBERS_SHOWN],
                "member_count": len(in_it),
                "edit": edit,
                "add": (add_forms or {}).get(sub.id),
            }
        )
    form = create_form or SubgroupForm(formdata=None, prefix="new")
    return render_template(
        "groups/subgroups.html",
        group=access.group,
        rows=rows,
        form=form,
        forms=[form, *[r["edit"] for r in rows], *[r["add"] for r in rows if r["add"]]],
        error=error,
        open_id=open_id,
        page=page,
        pages=pages,
        subgroup_count=len(subs),
    ), status


def _not_in(everyone, in_it) -> list[tuple[str, str]]:
    taken = {m.id for m in in_it}
    return [
        (str(m.user_id), f"{m.user.display_name} ({m.role.label})")
        for m in everyone
        if m.id not in taken
    ]


@bp.get("/subgroups/<int:subgroup_id>/members")
def find_subgroup_member(subgroup_id: int):
    """Find group members by name or email to add to (or take out of) the sub-group."""
    sub, access = _manage_subgroup(subgroup_id)
    query = (request.args.get("q") or "").strip()[:100]
    found, more = [], False
    if query:
        found = groups.find_members(db(), access.group.id, query, MATCHES_SHOWN + 1)
        more = len(found) > MATCHES_SHOWN
        found = found[:MATCHES_SHOWN]
    inside = groups.subgroup_member_ids(db(), sub.id, [m.id for m in found])
    return render_template(
        "groups/subgroup_members.html",
        group=access.group,
        sub=sub,
        query=query,
        found=[(m, m.id in inside) for m in found],
        more=more,
        limit=MATCHES_SHOWN,
    )


@bp.get("/groups/<int:group_id>/subgroups")
def subgroups(group_id: int):
    return _subgroups_page(_manage(group_id))


@bp.post("/groups/<int:group_id>/subgroups")
def create_subgroup(group_id: int):
    access = _manage(group_id)
    form = SubgroupForm(prefix="new")
    if not form.validate():
        return _subgroups_page(access, create_form=form, status=422)
    try:
        sub = groups.create_subgroup(
            db(), access.group, form.name.data, form.description.data or ""
        )
    except DomainError as exc:
        attach(form, exc)
        return _subgroups_page(access, create_form=form, status=exc.status)
    flash(f"Sub-group {sub.name} created. Add its members below.", "success")
    return redirect(url_for("web.subgroups", group_id=group_id, _anchor=f"subgroup-{sub.id}"))


def _manage_subgroup(subgroup_id: int):
    return subgroup_access(db(), my_id(), subgroup_id, Action.MANAGE)


@bp.post("/subgroups/<int:subgroup_id>/edit")
def edit_subgroup(subgroup_id: int):
    sub, access = _manage_subgroup(subgroup_id)
    form = SubgroupForm(prefix=f"sg{sub.id}")
    if not form.validate():
        return _subgroups_page(access, edit_forms={sub.id: form}, open_id=sub.id, status=422)
    try:
        groups.update_subgroup(db(), sub, form.name.data, form.description.data or "")
    except DomainError as exc:
        attach(form, exc)
        return _subgroups_page(access, edit_forms={sub.id: form}, open_id=sub.id, status=exc.status)
    flash(f"Sub-group {sub.name} saved.", "success")
    return redirect(url_for("web.subgroups", group_id=sub.group_id, _anchor=f"subgroup-{sub.id}"))


@bp.route("/subgroups/<int:subgroup_id>/delete", methods=["GET", "POST"])
def delete_subgroup(subgroup_id: int):
    sub, access = _manage_subgroup(subgroup_id)
    if request.method == "GET":
        return render_template("groups/delete_subgroup.html", group=access.group, sub=sub)
    name = sub.name
    try:
        groups.delete_subgroup(db(), sub)
    except DomainError as exc:
        return _subgroups_page(access, error=exc.message, status=exc.status)
    flash(f"Sub-group {name} deleted.", "success")
    return redirect(url_for("web.subgroups", group_id=access.group.id))


@bp.post("/subgroups/<int:subgroup_id>/members")
def add_subgroup_member(subgroup_id: int):
    sub, access = _manage_subgroup(subgroup_id)
    form = SubgroupMemberForm(prefix=f"add{sub.id}")
    form.user_id.choices = _not_in(
        groups.members(db(), access.group.id), groups.subgroup_members(db(), sub.id)
    )
    if not form.validate():
        return _subgroups_page(access, add_forms={sub.id: form}, open_id=sub.id, status=422)
    membership = groups.get_member(db(), access.group.id, int(form.user_id.data))
    try:
        groups.add_to_subgroup(db(), sub, membership)
    except DomainError as exc:
        attach(form, exc)
        return _subgroups_page(access, add_forms={sub.id: form}, open_id=sub.id, status=exc.status)
    flash(f"{membership.user.display_name} is now in {sub.name}.", "success")
    return redirect(_subgroup_url(access, sub))


def _subgroup_url(access: Access, sub) -> str:
    """Back to the sub-group's card, on the page it is on."""
    ids = [s.id for s in access.group.subgroups]
    page = ids.index(sub.id) // SUBGROUPS_PER_PAGE + 1 if sub.id in ids else 1
    return url_for(
        "web.subgroups",
        group_id=access.group.id,
        page=page if page > 1 else None,
        _anchor=f"subgroup-{sub.id}",
    )


@bp.post("/subgroups/<int:subgroup_id>/members/<int:user_id>/remove")
def remove_subgroup_member(subgroup_id: int, user_id: int):
    sub, access = _manage_subgroup(subgroup_id)
    membership = groups.get_member(db(), access.group.id, user_id)
    groups.remove_from_subgroup(db(), sub, membership)
    flash(f"{membership.user.display_name} is no longer in {sub.name}.", "success")
    return redirect(_subgroup_url(access, sub))
