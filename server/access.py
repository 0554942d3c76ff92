"""Load a thing by id and check the caller may act on it, in one call.

Pages, the API and socket handlers all start here, so an id from another group is
a 404 and a missing right a 403 the same way everywhere.

Sections and sentences are checked in one query each, read fresh from the
database every time: a live edit runs this on every keystroke batch, and reading
the rows that decide (membership, sub-group, the section's owner) is both cheaper
than the several lookups it replaces and right at once after any change, from any
process, with nothing to invalidate (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import Session

from server import driver_sql
from server.errors import NotFound
from server.groups.models import Group, Membership, Subgroup, SubgroupMember
from server.permissions import Action, check, require
from server.policies.models import Part, Policy, Section, Sentence
from server.policies.services import get_part


@dataclass
class Access:
    membership: Membership

    @property
    def group(self) -> Group:
        return self.membership.group


def group_access(
    db: Session,
    user_id: int | None,
    group_id: int,
    action: Action = Action.VIEW,
    *,
    what: str = "That group",
) -> Access:
    """The caller's membership of the group. `what` names the thing asked for when it
    is a thing of the group (a glossary term, a session): someone outside the group
    gets that thing's own 404, word for word what an id that does not exist gets,
    so ids from other groups reveal nothing (docs/api.md)."""
    group = db.get(Group, group_id)
    if group is None:
        raise NotFound(f"{what} was not found.")
    return Access(require(db, user_id, group.id, action, what=what))


def subgroup_access(
    db: Session, user_id: int | None, subgroup_id: int, action: Action = Action.VIEW
) -> tuple[Subgroup, Access]:
    sub = db.get(Subgroup, subgroup_id)
    if sub is None:
        raise NotFound("That sub-group was not found.")
    return sub, group_access(db, user_id, sub.group_id, action)


def policy_access(
    db: Session,
    user_id: int | None,
    policy_id: int,
    action: Action = Action.VIEW,
    *,
    what: str = "That policy",
) -> tuple[Policy, Access]:
    """The policy and the caller's membership of its group, in one query (a crowd's
    joins run it once each); no policy and no membership are the same 404, named
    `what` (see group_access)."""
    row = db.execute(_POLICY, {"policy_id": policy_id, "user_id": user_id}).first()
    if row is None:
        raise NotFound(f"{what} was not found.")
    policy, membership = row
    return policy, Access(check(membership, action, False, what=what))


def part_access(
    db: Session, user_id: int | None, part_id: int, action: Action = Action.VIEW
) -> tuple[Part, Access]:
    part = get_part(db, part_id)
    return part, _on(db, user_id, part.policy.group_id, action, None, "That part")


# On the tables, so that the statements of ORM objects (pages, the API) and the live
# edit path's plain columns share the joins that decide a right.
_POLICIES, _SECTIONS, _SENTENCES = Policy.__table__, Section.__table__, Sentence.__table__
_MEMBERSHIPS, _SUBGROUP_MEMBERS = Membership.__table__, SubgroupMember.__table__
# The caller's membership of the policy's group, for an outer join (no row: no right).
_CALLERS_MEMBERSHIP = and_(
    _MEMBERSHIPS.c.group_id == _POLICIES.c.group_id,
    _MEMBERSHIPS.c.user_id == bindparam("user_id"),
)


def _with_membership(sections):
    """`sections` (the sections table, or a join that holds it) joined with the
    caller's membership of the section's group and, if any, their place in the
    section's sub-group (outer joins: a missing row means no right)."""
    return (
        sections.join(_POLICIES, _POLICIES.c.id == _SECTIONS.c.policy_id)
        .outerjoin(_MEMBERSHIPS, _CALLERS_MEMBERSHIP)
        .outerjoin(
            _SUBGROUP_MEMBERS,
            and_(
                _SUBGROUP_MEMBERS.c.membership_id == _MEMBERSHIPS.c.id,
                _SUBGROUP_MEMBERS.c.subgroup_id == _SECTIONS.c.subgroup_id,
            ),
        )
    )


_SENTENCE_FROM = _with_membership(
    _SENTENCES.join(_SECTIONS, _SECTIONS.c.id == _SENTENCES.c.section_id)
)
# Built once: constructing a statement costs about as much as running it here.
_SECTION = (
    select(Section, Membership, SubgroupMember.id)
    .select_from(_with_membership(_SECTIONS))
    .where(Section.id == bindparam("section_id"))
)
_SENTENCE = (
    select(Sentence, Section, Membership, SubgroupMember.id)
    .select_from(_SENTENCE_FROM)
    .where(Sentence.id == bindparam("sentence_id"))
)


_POLICY = (
    select(Policy, Membership)
    .outerjoin(Membership, _CALLERS_MEMBERSHIP)
    .where(Policy.id == bindparam("policy_id"))
)


def section_access(
    db: Session,
    user_id: int | None,
    section_id: int,
    action: Action = Action.VIEW,
    *,
    what: str = "That section",
) -> tuple[Section, Access]:
    """The section and the caller's membership; the 404 is named `what` (see
    group_access)."""
    row = db.execute(_SECTION, {"section_id": section_id, "user_id": user_id}).first()
    if row is None or row[0].deleted_at is not None:
        raise NotFound(f"{what} was not found.")
    section, membership, subgroup_member_id = row
    return section, Access(check(membership, action, subgroup_member_id is not None, what=what))


def sentence_for_edit(
    db: Session, user_id: int | None, sentence_id: int, action: Action = Action.EDIT_TEXT
) -> tuple[Sentence, Section, Access]:
    """A sentence, tombstones included (a late edit to one is answered `gone` by the
    engine), its section and the caller's right to act on it, in one query: the
    live edit path runs this for every edit."""
    row = db.execute(_SENTENCE, {"sentence_id": sentence_id, "user_id": user_id}).first()
    if row is None:
        raise NotFound("That sentence was not found.")
    sentence, section, membership, subgroup_member_id = row
    if section.deleted_at is not None:  # the same answer as no sentence, and no member
        raise NotFound("That sentence was not found.")
    return (
        sentence,
        section,
        Access(check(membership, action, subgroup_member_id is not None, what="That sentence")),
    )


@dataclass(frozen=True, slots=True)
class LiveSentence:
    """What the live edit path reads of a sentence (the fields `editing.state_of`
    and the writes use), as plain values."""

    id: int
    section_id: int
    text: str
    version: int
    position: str
    deleted_at: datetime | None
    merged_into_id: int | None


@dataclass(frozen=True, slots=True)
class LiveSection:
    id: int
    policy_id: int


def sentence_to_edit(
    db: Session, user_id: int, sentence_id: int
) -> tuple[LiveSentence, LiveSection]:
    """`sentence_for_edit` for a live edit, the same checks and the same answers, read
    as plain columns of the tables: every edit runs it, and building three ORM
    objects (sentence, section, membership) cost about four times the query itself
    (97 against 24 µs, docs/performance.md). Nothing of it is kept in the session, so
    a later change in the same batch reads the sentence afresh from the database."""
    row = _SENTENCE_COLUMNS.first(db, {"sentence_id": sentence_id, "user_id": user_id})
    if row is None:
        raise NotFound("That sentence was not found.")
    if row.section_deleted_at is not None:
        raise NotFound("That sentence was not found.")
    member = row if row.role is not None else None  # `check` reads its role alone
    check(member, Action.EDIT_TEXT, row.subgroup_member_id is not None, what="That sentence")
    return (
        LiveSentence(
            row.id,
            row.section_id,
            row.text,
            row.version,
            row.position,
            row.deleted_at,
            row.merged_into_id,
        ),
        LiveSection(row.section_id, row.policy_id),
    )


# The same joins as _SENTENCE, with the membership's role (what `check` reads) and
# no ORM objects, run on the driver (server.driver_sql).
_SENTENCE_COLUMNS = driver_sql.Statement(
    select(
        *(_SENTENCES.c[name] for name in LiveSentence.__slots__),
        _SECTIONS.c.policy_id,
        _SECTIONS.c.deleted_at.label("section_deleted_at"),
        _MEMBERSHIPS.c.role,
        _SUBGROUP_MEMBERS.c.id.label("subgroup_member_id"),
    )
    .select_from(_SENTENCE_FROM)
    .where(_SENTENCES.c.id == bindparam("sentence_id"))
)


def _on(db, user_id, group_id, action, subgroup_id, what) -> Access:
    return Access(require(db, user_id, group_id, action, subgroup_id, what=what))
