"""Home, the group dashboard, members, invitations made by facilitators, sub-groups."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from server.accounts.models import PasswordReset
from server.groups.models import Invitation, Membership, Role, Subgroup, SubgroupMember
from tests.conftest import sign_in
from tests.web.conftest import post, text

# --- home ------------------------------------------------------------------------------


def test_home_lists_my_groups_with_my_role(as_member, world):
    page = text(as_member.get("/"))
    assert "Northshire group" in page
    assert "Parent or carer" in page
    assert "Another group" not in page


def test_creating_a_group_makes_me_its_facilitator(client, db, make):
    user = make.user("Asha", "asha@example.org")
    sign_in(client, user.email)
    response = post(client, "/groups", {"name": "Leeds SEND group", "description": ""})
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    assert "Leeds SEND group" in page and "You are its facilitator" in page
    ship = db.scalar(select(Membership).where(Membership.user_id == user.id))
    assert ship.role == Role.FACILITATOR


def test_group_name_is_required(client, make):
    sign_in(client, make.user().email)
    response = post(client, "/groups", {"name": "   "})
    assert response.status_code == 422
    assert "Enter a name for the group." in text(response)


# --- dashboard ---------------------------------------------------------------------------


def test_dashboard_shows_members_subgroups_and_policies(as_member, world):
    page = text(as_member.get(f"/groups/{world.group.id}"))
    assert "Fatima Facilitator" in page and "Sam Parent" in page
    assert "Facilitator" in page and "Parent or carer" in page
    assert "Sub-groups (project groups)" in page and "Families&#39; questions" in page
    assert "Personal Budget policy" in page
    assert "Invite someone" not in page  # no facilitator controls for members
    assert f"/groups/{world.group.id}/members" not in page


def test_facilitator_sees_the_controls(as_facilitator, world):
    page = text(as_facilitator.get(f"/groups/{world.group.id}"))
    assert f"/groups/{world.group.id}/members" in page
    assert f"/groups/{world.group.id}/subgroups" in page
    assert f"/groups/{world.group.id}/policies/new" in page


@pytest.mark.parametrize(
    "url",
    [
        "/groups/{g}",
        "/groups/{g}/members",
        "/groups/{g}/subgroups",
        "/groups/{g}/policies/new",
        "/policies/{p}",
        "/sections/{s}",
        "/parts/{part}/sections/new",
        "/subgroups/{sub}/delete",
        "/groups/{g}/members/{u}/remove",
    ],
)
def test_other_groups_ids_are_not_found(as_outsider, world, url):
    url = url.format(
        g=world.group.id,
        p=world.policy.id,
        s=world.section.id,
        part=world.part.id,
        sub=world.subgroup.id,
        u=world.member.id,
    )
    response = as_outsider.get(url)
    assert response.status_code == 404
    assert "Page not found" in text(response)


@pytest.mark.parametrize(
    "url",
    [
        "/groups/{g}/members",
        "/groups/{g}/subgroups",
        "/groups/{g}/policies/new",
        "/parts/{part}/sections/new",
        "/subgroups/{sub}/delete",
        "/groups/{g}/members/{u}/remove",
    ],
)
def test_members_cannot_open_facilitator_pages(as_member, world, url):
    url = url.format(
        g=world.group.id, part=world.part.id, sub=world.subgroup.id, u=world.facilitator.id
    )
    response = as_member.get(url)
    assert response.status_code == 403
    assert "Only a facilitator of this group can do that." in text(response)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/groups/{g}/invitations", {"email": "x@example.org", "role": "health"}),
        ("/groups/{g}/members/{u}/role", {"role": "parent_carer"}),
        ("/groups/{g}/members/{u}/remove", {}),
        ("/groups/{g}/members/{u}/reset-link", {}),
        ("/groups/{g}/subgroups", {"new-name": "Sneaky"}),
        ("/subgroups/{sub}/edit", {"name": "Renamed"}),
        ("/subgroups/{sub}/delete", {}),
        ("/subgroups/{sub}/members", {"user_id": "1"}),
        ("/subgroups/{sub}/members/{me}/remove", {}),
        ("/groups/{g}/policies/new", {"title": "Mine"}),
        ("/policies/{p}/parts", {"title": "Another part"}),
        ("/parts/{part}/sections/new", {"title": "Mine", "kind": "text", "subgroup_id": "1"}),
    ],
)
def test_members_cannot_do_facilitator_actions(as_member, world, db, url, data):
    url = url.format(
        g=world.group.id,
        u=world.facilitator.id,
        sub=world.subgroup.id,
        me=world.member.id,
        p=world.policy.id,
        part=world.part.id,
    )
    assert post(as_member, url, data).status_code == 403
    db.expire_all()
    assert db.get(Membership, world.member_ship.id).role == Role.PARENT_CARER
    assert db.scalar(select(Invitation.id)) is None


# --- members and invitations ----------------------------------------------------------------


def _invite(client, world, **data):
    fields = {"email": "new.person@example.org", "role": "young_person", "display_name": ""}
    return post(client, f"/groups/{world.group.id}/invitations", {**fields, **data})


def test_invitation_link_is_shown_once_with_its_expiry(as_facilitator, world):
    response = _invite(as_facilitator, world)
    assert response.status_code == 201  # shown in the reply to the POST, nowhere else
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    link = re.search(r'id="invitation-link" value="([^"]+)"', page).group(1)
    assert link.startswith("http://localhost/invitations/")
    assert "Invitation link for new.person@example.org" in page
    assert "Young person" in page and "It works once, until" in page
    assert 'data-copy="invitation-link"' in page
    again = text(as_facilitator.get(f"/groups/{world.group.id}/members"))
    assert link not in again  # shown once
    assert "new.person@example.org" in again  # but listed as waiting


def test_invite_form_errors_are_shown_next_to_fields(as_facilitator, world):
    response = _invite(as_facilitator, world, email="", role="")
    assert response.status_code == 422
    page = text(response)
    assert "There is a problem" in page
    assert "Enter the email address of the person to invite." in page
    assert "Choose the role that describes them." in page
    assert 'href="#role-0"' in page
    response = _invite(as_facilitator, world, email="not an email")
    assert response.status_code == 422
    assert "Enter an email address like name@example.org." in text(response)


def test_inviting_a_member_again_is_refused(as_facilitator, world):
    response = _invite(as_facilitator, world, email=world.member.email)
    assert response.status_code == 409
    assert "That person is already a member of this group." in text(response)


def test_revoking_an_invitation(as_facilitator, world, db):
    assert _invite(as_facilitator, world).status_code == 201
    inv = db.scalar(select(Invitation))
    response = post(as_facilitator, f"/groups/{world.group.id}/invitations/{inv.id}/revoke")
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Invitation, inv.id).revoked_at is not None
    page = text(as_facilitator.get(f"/groups/{world.group.id}/members"))
    assert "Invitations not used yet" in page and "new.person@example.org" not in page


def test_changing_a_role(as_facilitator, world, db):
    response = post(
        as_facilitator,
        f"/groups/{world.group.id}/members/{world.member.id}/role",
        {"role": "education"},
    )
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Membership, world.member_ship.id).role == Role.EDUCATION
    assert "Sam Parent&#39;s role is now: Education." in text(
        as_facilitator.get(response.headers["Location"])
    )


def test_unknown_role_is_refused(as_facilitator, world):
    response = post(
        as_facilitator, f"/groups/{world.group.id}/members/{world.member.id}/role", {"role": "king"}
    )
    assert response.status_code == 422
    assert "Choose a role." in text(response)


def test_last_facilitator_cannot_be_demoted_or_removed(as_facilitator, world, db):
    me = world.facilitator.id
    demote = post(as_facilitator, f"/groups/{world.group.id}/members/{me}/role", {"role": "health"})
    remove = post(as_facilitator, f"/groups/{world.group.id}/members/{me}/remove")
    for response in (demote, remove):
        assert response.status_code == 409
        page = text(response)
        assert "A group needs at least one facilitator." in page
        assert "Members and invitations" in page  # shown on the members page itself
    db.expire_all()
    assert (
        db.scalar(
            select(Membership.role).where(
                Membership.user_id == me, Membership.group_id == world.group.id
            )
        )
        == Role.FACILITATOR
    )


def test_removing_a_member_asks_first(as_facilitator, world, db):
    url = f"/groups/{world.group.id}/members/{world.member.id}/remove"
    confirm = text(as_facilitator.get(url))
    assert "Remove Sam Parent from the group?" in confirm
    assert 'method="post"' in confirm
    assert db.get(Membership, world.member_ship.id) is not None
    response = post(as_facilitator, url)
    assert response.status_code == 302
    db.expire_all()
    assert db.get(Membership, world.member_ship.id) is None
    assert db.scalar(select(SubgroupMember.id)) is None  # left the sub-group too


def test_a_removed_member_loses_access(app, world, as_facilitator):
    other = app.test_client()
    sign_in(other, world.member.email)
    assert other.get(f"/groups/{world.group.id}").status_code == 200
    post(as_facilitator, f"/groups/{world.group.id}/members/{world.member.id}/remove")
    assert other.get(f"/groups/{world.group.id}").status_code == 404


def test_password_reset_link_for_a_member_is_shown_once(as_facilitator, world, db):
    response = post(
        as_facilitator, f"/groups/{world.group.id}/members/{world.member.id}/reset-link"
    )
    assert response.status_code == 201
    page = text(response)
    link = re.search(r'id="reset-link" value="([^"]+)"', page).group(1)
    assert link.startswith("http://localhost/reset/")
    assert "Password reset link for Sam Parent" in page
    assert link not in text(as_facilitator.get(f"/groups/{world.group.id}/members"))
    assert db.scalar(select(PasswordReset.user_id)) == world.member.id


def test_reset_link_only_for_members_of_this_group(as_facilitator, world):
    response = post(
        as_facilitator, f"/groups/{world.group.id}/members/{world.outsider.id}/reset-link"
    )
    assert response.status_code == 404


# --- sub-groups ------------------------------------------------------------------------------


def test_subgroups_page_lists_members_and_finds_who_can_be_added(as_facilitator, world, db):
    page = text(as_facilitator.get(f"/groups/{world.group.id}/subgroups"))
    assert "Families&#39; questions" in page and "Sam Parent" in page
    assert "<select" not in page  # no list of everyone: a search instead
    sub = world.subgroup.id
    assert f'action="/subgroups/{sub}/members"' in page and 'name="q"' in page
    found = text(as_facilitator.get(f"/subgroups/{sub}/members?q=fatima"))
    assert "Fatima Facilitator" in found and f'name="add{sub}-user_id"' in found
    both = text(as_facilitator.get(f"/subgroups/{sub}/members?q=example.org"))
    assert "In Families&#39; questions." in both  # Sam is in it: a Take out button
    assert "Nobody in the group matches" in text(
        as_facilitator.get(f"/subgroups/{sub}/members?q=olly")
    )  # not a member of this group
    fatima = int(re.search(rf'name="add{sub}-user_id" value="(\d+)"', found).group(1))
    response = post(as_facilitator, f"/subgroups/{sub}/members", {f"add{sub}-user_id": fatima})
    assert response.status_code == 302
    assert (
        len(db.scalars(select(SubgroupMember).where(SubgroupMember.subgroup_id == sub)).all()) == 2
    )


def test_subgroups_page_is_paged_and_bounded(as_facilitator, world, make, db):
    from server.web.groups import SUBGROUPS_PER_PAGE

    for n in range(SUBGROUPS_PER_PAGE + 5):
        make.subgroup(world.group, f"Topic {n:03d}")
    db.commit()
    first = text(as_facilitator.get(f"/groups/{world.group.id}/subgroups"))
    assert first.count('class="card subgroup"') == SUBGROUPS_PER_PAGE
    assert "Page 1 of 2" in first and "Next page" in first
    second = text(as_facilitator.get(f"/groups/{world.group.id}/subgroups?page=2"))
    assert second.count('class="card subgroup"') == 6 and "Previous page" in second
    assert "Page 2 of 2" in text(as_facilitator.get(f"/groups/{world.group.id}/subgroups?page=99"))


def test_create_rename_and_delete_a_subgroup(as_facilitator, world, db):
    response = post(
        as_facilitator,
        f"/groups/{world.group.id}/subgroups",
        {"new-name": "Budgets and payments", "new-description": "Money."},
    )
    assert response.status_code == 302
    sub = db.scalar(select(Subgroup).where(Subgroup.name == "Budgets and payments"))
    clash = post(
        as_facilitator, f"/subgroups/{sub.id}/edit", {f"sg{sub.id}-name": "Families' questions"}
    )
    assert clash.status_code == 409
    assert "There is already a sub-group with that name." in text(clash)
    renamed = post(
        as_facilitator,
        f"/subgroups/{sub.id}/edit",
        {f"sg{sub.id}-name": "Money matters", f"sg{sub.id}-description": "How."},
    )
    assert renamed.status_code == 302
    db.expire_all()
    assert db.get(Subgroup, sub.id).name == "Money matters"
    confirm = text(as_facilitator.get(f"/subgroups/{sub.id}/delete"))
    assert "Delete the sub-group Money matters?" in confirm
    assert post(as_facilitator, f"/subgroups/{sub.id}/delete").status_code == 302
    db.expire_all()
    assert db.get(Subgroup, sub.id) is None


def test_a_subgroup_that_owns_sections_is_not_deleted(as_facilitator, world, db):
    response = post(as_facilitator, f"/subgroups/{world.subgroup.id}/delete")
    assert response.status_code == 409
    assert "This sub-group owns 1 section(s)." in text(response)
    assert db.get(Subgroup, world.subgroup.id) is not None


def test_add_and_take_out_a_subgroup_member(as_facilitator, world, db):
    sub = world.subgroup
    response = post(
        as_facilitator,
        f"/subgroups/{sub.id}/members",
        {f"add{sub.id}-user_id": str(world.facilitator.id)},
    )
    assert response.status_code == 302
    assert "Fatima Facilitator is now in Families&#39; questions." in text(
        as_facilitator.get(response.headers["Location"])
    )
    again = post(
        as_facilitator,
        f"/subgroups/{sub.id}/members",
        {f"add{sub.id}-user_id": str(world.facilitator.id)},
    )
    assert again.status_code == 422  # no longer one of the choices
    outsider = post(
        as_facilitator,
        f"/subgroups/{sub.id}/members",
        {f"add{sub.id}-user_id": str(world.outsider.id)},
    )
    assert outsider.status_code == 422
    response = post(as_facilitator, f"/subgroups/{sub.id}/members/{world.member.id}/remove")
    assert response.status_code == 302
    names = {
        m.user_id
        for m in db.scalars(
            select(Membership).join(SubgroupMember).where(SubgroupMember.subgroup_id == sub.id)
        )
    }
    assert names == {world.facilitator.id}


def test_names_with_markup_are_shown_as_text(client, make, db):
    evil = make.user('<script>alert("x")</script>', "evil@example.org")
    group = make.group(evil, "<b>Bold</b> group")
    make.subgroup(group, "<img src=x onerror=alert(1)>")
    sign_in(client, evil.email)
    for url in (
        "/",
        f"/groups/{group.id}",
        f"/groups/{group.id}/members",
        f"/groups/{group.id}/subgroups",
    ):
        page = text(client.get(url))
        assert "<script>alert" not in page and "<b>Bold</b>" not in page
        assert "<img src=x" not in page
    page = text(client.get(f"/groups/{group.id}"))
    assert "&lt;b&gt;Bold&lt;/b&gt; group" in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
