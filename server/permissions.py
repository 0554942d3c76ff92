"""Who may do what: the one place that decides.

Every member of a group has one equal voice: they may read everything in the
group, comment, propose and vote. Facilitators also manage membership, sub-groups
and the structure of policies. Editing a section's text live belongs to the
members of the sub-group that owns it. No other role grants anything.

Someone who is not a member of a group is told the thing does not exist (404), so
ids from other groups reveal nothing; a member lacking a right gets 403.
"""

from __future__ import annotations

import enum

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from server.errors import NotFound, PermissionDenied
from server.groups.models import Membership, Role, SubgroupMember


class Action(enum.StrEnum):
    VIEW = "view"  # read the group, its members, policies and text
    MANAGE = "manage"  # members, invitations, sub-groups, policy structure, settings
    EDIT_TEXT = "edit_text"  # change a section's sentences (needs the section's sub-group)


_DENIED = {
    Action.MANAGE: "Only a facilitator of this group can do that.",
    Action.EDIT_TEXT: "Only members of the sub-group that owns this section can edit its text.",
}


def membership_of(db: Session, user_id: int | None, group_id: int) -> Membership | None:
    if user_id is None:
        return None
    return db.scalar(
        select(Membership).where(Membership.group_id == group_id, Membership.user_id == user_id)
    )


def in_subgroup(db: Session, membership: Membership, subgroup_id: int) -> bool:
    return (
        db.scalar(
            select(SubgroupMember.id).where(
                SubgroupMember.subgroup_id == subgroup_id,
                SubgroupMember.membership_id == membership.id,
            )
        )
        is not None
    )


def allows(
    db: Session, membership: Membership | None, action: Action, subgroup_id: int | None = None
) -> bool:
    """Answer without raising; pages use it to show or hide controls."""
    if membership is None:
        return False
    in_sub = (
        action == Action.EDIT_TEXT
        and subgroup_id is not None
        and in_subgroup(db, membership, subgroup_id)
    )
    return _rule(membership, action, in_sub)


def editable(db: Session, membership: Membership, sections: list[tuple[int, int]]) -> list[int]:
    """Of (section id, owning sub-group id) pairs, the sections this member may edit,
    with one query for their sub-groups rather than one per section."""
    mine = set(db.scalars(_SUBGROUPS_OF, {"membership_id": membership.id}))
    return [sid for sid, sub in sections if _rule(membership, Action.EDIT_TEXT, sub in mine)]


# Built once: building a statement cost about as much as running it (a crowd's joins
# run both, one each). With no sub-group, `subgroup_id = NULL` matches no row.
_MEMBERSHIP_IN_SUBGROUP = (
    select(Membership, SubgroupMember.id)
    .outerjoin(
        SubgroupMember,
        and_(
            SubgroupMember.membership_id == Membership.id,
            SubgroupMember.subgroup_id == bindparam("subgroup_id"),
        ),
    )
    .where(Membership.group_id == bindparam("group_id"), Membership.user_id == bindparam("user_id"))
)
_SUBGROUPS_OF = select(SubgroupMember.subgroup_id).where(
    SubgroupMember.membership_id == bindparam("membership_id")
)


def _rule(membership: Membership, action: Action, in_owning_subgroup: bool) -> bool:
    """The rules themselves, for a member of the group."""
    if action == Action.VIEW:
        return True
    if action == Action.MANAGE:
        return membership.role == Role.FACILITATOR
    if action == Action.EDIT_TEXT:
        return in_owning_subgroup
    raise ValueError(f"unknown action {action!r}")


def require(
    db: Session,
    user_id: int | None,
    group_id: int,
    action: Action,
    subgroup_id: int | None = None,
    *,
    what: str = "That",
) -> Membership:
    """Return the user's membership of the group, or raise NotFound / PermissionDenied.
    Membership and sub-group are read in one query: this runs on every live edit."""
    row = None
    if user_id is not None:
        row = db.execute(
            _MEMBERSHIP_IN_SUBGROUP,
            {"group_id": group_id, "user_id": user_id, "subgroup_id": subgroup_id},
        ).first()
    if row is None:
        raise NotFound(f"{what} was not found.")
    membership, subgroup_member_id = row
    return check(membership, action, subgroup_member_id is not None, what=what)


def check(
    membership: Membership | None, action: Action, in_owning_subgroup: bool, *, what: str = "That"
) -> Membership:
    """Raise NotFound / PermissionDenied unless the membership allows the action.

    For callers that read the membership together with the thing itself, in one
    query (server.access does, for the live edit path)."""
    if membership is None:
        raise NotFound(f"{what} was not found.")
    if not _rule(membership, action, in_owning_subgroup):
        raise PermissionDenied(_DENIED[action])
    return membership
