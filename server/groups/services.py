"""Group rules: membership, roles, sub-groups and invitations. No Flask here.

Callers authorise first (server.permissions.require); these functions enforce the
rules that hold whoever asks, such as a group always keeping a facilitator.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.accounts.passwords import check_strength, verify_password
from server.accounts.services import create_user, user_by_email, valid_email, valid_name
from server.accounts.tokens import digest, new_secret
from server.db import utcnow
from server.errors import Conflict, Gone, InvalidInput, NotAuthenticated, NotFound
from server.events import EditRightsChanged, MembershipEnded, publish
from server.groups.models import (
    NAME_CHARS,
    Group,
    Invitation,
    Membership,
    Role,
    Subgroup,
    SubgroupMember,
)
from server.policies.models import Section
from server.text.clean import clean_block


def parse_role(raw: str) -> Role:
    try:
        return Role(raw)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InvalidInput(
            f"Choose a role: {allowed}.", fields={"role": ["Not a known role."]}
        ) from None


def create_group(db: Session, creator: User, name: str, description: str = "") -> Group:
    """Create a group; whoever creates it is its first facilitator."""
    group = Group(
        name=valid_name(name, "name", NAME_CHARS), description=clean_block(description or "")
    )
    db.add(group)
    db.flush()
    db.add(Membership(group_id=group.id, user_id=creator.id, role=Role.FACILITATOR))
    db.flush()
    return group


def update_group(
    db: Session, group: Group, name: str | None = None, description: str | None = None
) -> Group:
    if name is not None:
        group.name = valid_name(name, "name", NAME_CHARS)
    if description is not None:
        group.description = clean_block(description)
    db.flush()
    return group


def groups_of(db: Session, user_id: int) -> list[tuple[Group, Membership]]:
    rows = db.execute(
        select(Group, Membership)
        .join(Membership)
        .where(Membership.user_id == user_id)
        .order_by(Group.name)
    )
    return [tuple(r) for r in rows]


def members(db: Session, group_id: int) -> list[Membership]:
    return list(
        db.scalars(
            select(Membership)
            .join(User)
            .where(Membership.group_id == group_id)
            .order_by(User.display_name)
        )
    )


def get_member(db: Session, group_id: int, user_id: int) -> Membership:
    """A member of the group by their user id (ids outside the group: not found)."""
    row = db.scalar(
        select(Membership).where(Membership.group_id == group_id, Membership.user_id == user_id)
    )
    if row is None:
        raise NotFound("That member was not found in this group.")
    return row


def _facilitator_count(db: Session, group_id: int) -> int:
    return db.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.group_id == group_id, Membership.role == Role.FACILITATOR)
    )


def _keep_a_facilitator(db: Session, membership: Membership) -> None:
    if membership.role == Role.FACILITATOR and _facilitator_count(db, membership.group_id) <= 1:
        raise Conflict(
            "A group needs at least one facilitator. Make someone else a facilitator first.",
            code="last_facilitator",
        )


def change_role(db: Session, membership: Membership, role: str) -> Membership:
    new_role = parse_role(role)
    if new_role != Role.FACILITATOR:
        _keep_a_facilitator(db, membership)
    if new_role != membership.role:  # `can_manage` follows the role: tell their sockets
        publish(db, EditRightsChanged(membership.group_id, membership.user_id))
    membership.role = new_role
    db.flush()
    return membership


def remove_member(db: Session, membership: Membership) -> None:
    """Remove someone from the group, and so from its sub-groups."""
    _keep_a_facilitator(db, membership)
    publish(db, MembershipEnded(membership.group_id, membership.user_id))
    db.delete(membership)
    db.flush()


# --- invitations -------------------------------------------------------------------


def invite(
    db: Session,
    group: Group,
    by: User,
    email: str,
    role: str,
    lifetime: timedelta,
    display_name: str = "",
) -> tuple[str, Invitation]:
    """Make a single-use link that lets one person join with one role."""
    email = valid_email(email)
    role_ = parse_role(role)
    name = valid_name(display_name) if display_name and display_name.strip() else ""
    existing = user_by_email(db, email)
    if existing and db.scalar(
        select(Membership.id).where(
            Membership.group_id == group.id, Membership.user_id == existing.id
        )
    ):
        raise Conflict(
            "That person is already a member of this group.",
            fields={"email": ["Already a member."]},
            code="already_member",
        )
    token, token_hash = new_secret()
    now = utcnow()
    row = Invitation(
        group_id=group.id,
        email=email,
        display_name=name,
        role=role_,
        token_hash=token_hash,
        created_by_id=by.id,
        created_at=now,
        expires_at=now + lifetime,
    )
    db.add(row)
    db.flush()
    return token, row


def pending_invitations(db: Session, group_id: int) -> list[Invitation]:
    return list(
        db.scalars(
            select(Invitation)
            .where(
                Invitation.group_id == group_id,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(Invitation.created_at.desc())
        )
    )


def revoke_invitation(db: Session, group_id: int, invitation_id: int) -> None:
    row = db.get(Invitation, invitation_id)
    if row is None or row.group_id != group_id:
        raise NotFound("That invitation was not found.")
    if row.used_at is None and row.revoked_at is None:
        row.revoked_at = utcnow()


def live_invitation(db: Session, token: str) -> Invitation:
    row = db.scalar(select(Invitation).where(Invitation.token_hash == digest(token or "")))
    if row is None:
        raise NotFound("That invitation link is not valid. Ask the facilitator for a new one.")
    if row.used_at is not None or row.revoked_at is not None:
        raise Gone(
            "That invitation was used already. Sign in, or ask for a new one.",
            code="invitation_used",
        )
    if row.expires_at <= utcnow():
        raise Gone(
            "That invitation has expired. Ask the facilitator for a new one.",
            code="invitation_expired",
        )
    return row


def accept_invitation(
    db: Session,
    token: str,
    *,
    display_name: str = "",
    password: str = "",
    signed_in: User | None = None,
) -> tuple[User, Membership]:
    """Join the group. A new person chooses a name and password; someone who already
    has an account proves it is them by being signed in as them or by their password."""
    inv = live_invitation(db, token)
    user = user_by_email(db, inv.email)
    if user is None:
        check_strength(password)  # without one the new account could never sign in
        user = create_user(db, inv.email, display_name or inv.display_name, password)
    elif not (signed_in is not None and signed_in.id == user.id) and not (
        user.is_active and verify_password(user.password_hash, password or "")
    ):
        raise NotAuthenticated(
            "An account with this email exists already. "
            "Enter its password to accept the invitation.",
            fields={"password": ["Password of your existing account."]},
            code="sign_in_failed",
        )
    if db.scalar(
        select(Membership.id).where(
            Membership.group_id == inv.group_id, Membership.user_id == user.id
        )
    ):
        raise Conflict("You are already a member of this group.", code="already_member")
    membership = Membership(group_id=inv.group_id, user_id=user.id, role=inv.role)
    db.add(membership)
    inv.used_at = utcnow()
    inv.used_by_id = user.id
    db.flush()
    return user, membership


# --- sub-groups --------------------------------------------------------------------


def get_subgroup(db: Session, group_id: int, subgroup_id: int) -> Subgroup:
    row = db.get(Subgroup, subgroup_id)
    if row is None or row.group_id != group_id:
        raise NotFound("That sub-group was not found in this group.")
    return row


def _unique_subgroup_name(db: Session, group_id: int, name: str, except_id: int | None = None):
    clash = db.scalar(
        select(Subgroup.id).where(
            Subgroup.group_id == group_id, func.lower(Subgroup.name) == name.lower()
        )
    )
    if clash is not None and clash != except_id:
        raise Conflict(
            "There is already a sub-group with that name.",
            fields={"name": ["Already used in this group."]},
        )


def create_subgroup(db: Session, group: Group, name: str, description: str = "") -> Subgroup:
    name = valid_name(name, "name", NAME_CHARS)
    _unique_subgroup_name(db, group.id, name)
    row = Subgroup(group_id=group.id, name=name, description=clean_block(description or ""))
    db.add(row)
    db.flush()
    return row


def update_subgroup(
    db: Session, subgroup: Subgroup, name: str | None = None, description: str | None = None
) -> Subgroup:
    if name is not None:
        name = valid_name(name, "name", NAME_CHARS)
        _unique_subgroup_name(db, subgroup.group_id, name, except_id=subgroup.id)
        subgroup.name = name
    if description is not None:
        subgroup.description = clean_block(description)
    db.flush()
    return subgroup


def sections_owned(db: Session, subgroups: list[Subgroup], limit: int = 8) -> list[Section]:
    """The live sections these sub-groups write (the first `limit`, oldest first)."""
    if not subgroups:
        return []
    return list(
        db.scalars(
            select(Section)
            .where(Section.subgroup_id.in_([s.id for s in subgroups]), Section.deleted_at.is_(None))
            .order_by(Section.id)
            .limit(limit)
        )
    )


def delete_subgroup(db: Session, subgroup: Subgroup) -> None:
    owned = db.scalar(
        select(func.count())
        .select_from(Section)
        .where(Section.subgroup_id == subgroup.id, Section.deleted_at.is_(None))
    )
    if owned:
        raise Conflict(
            f"This sub-group owns {owned} section(s). Give them to another sub-group first.",
            code="subgroup_in_use",
        )
    db.delete(subgroup)
    db.flush()


def subgroup_members(db: Session, subgroup_id: int) -> list[Membership]:
    return list(
        db.scalars(
            select(Membership)
            .join(SubgroupMember)
            .join(User)
            .where(SubgroupMember.subgroup_id == subgroup_id)
            .order_by(User.display_name)
        )
    )


def find_members(db: Session, group_id: int, query: str, limit: int) -> list[Membership]:
    """Members of the group whose name or email contains `query` (at most `limit`,
    by name): the sub-groups page's on-demand picker."""
    pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return list(
        db.scalars(
            select(Membership)
            .join(User)
            .where(
                Membership.group_id == group_id,
                User.display_name.ilike(pattern, escape="\\")
                | User.email.ilike(pattern, escape="\\"),
            )
            .order_by(User.display_name, Membership.id)
            .limit(limit)
        )
    )


def subgroup_member_ids(db: Session, subgroup_id: int, membership_ids: list[int]) -> set[int]:
    """Which of these memberships are in the sub-group."""
    if not membership_ids:
        return set()
    return set(
        db.scalars(
            select(SubgroupMember.membership_id).where(
                SubgroupMember.subgroup_id == subgroup_id,
                SubgroupMember.membership_id.in_(membership_ids),
            )
        )
    )


def add_to_subgroup(db: Session, subgroup: Subgroup, membership: Membership) -> None:
    if membership.group_id != subgroup.group_id:
        raise NotFound("That member was not found in this group.")
    if db.scalar(
        select(SubgroupMember.id).where(
            SubgroupMember.subgroup_id == subgroup.id, SubgroupMember.membership_id == membership.id
        )
    ):
        raise Conflict("That member is already in this sub-group.", code="already_member")
    db.add(SubgroupMember(subgroup_id=subgroup.id, membership_id=membership.id))
    publish(db, EditRightsChanged(subgroup.group_id, membership.user_id))
    db.flush()


def remove_from_subgroup(db: Session, subgroup: Subgroup, membership: Membership) -> None:
    row = db.scalar(
        select(SubgroupMember).where(
            SubgroupMember.subgroup_id == subgroup.id, SubgroupMember.membership_id == membership.id
        )
    )
    if row is None:
        raise NotFound("That member is not in this sub-group.")
    db.delete(row)
    publish(db, EditRightsChanged(subgroup.group_id, membership.user_id))
    db.flush()


def subgroups_of(db: Session, membership: Membership) -> list[Subgroup]:
    return list(
        db.scalars(
            select(Subgroup)
            .join(SubgroupMember)
            .where(SubgroupMember.membership_id == membership.id)
            .order_by(Subgroup.name)
        )
    )
