"""Load a thing by id and check the caller may act on it, in one call.

Pages, the API and socket handlers all start here, so an id from another group is
a 404 and a missing right a 403 the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import NotFound
from server.groups.models import Group, Membership, Subgroup
from server.permissions import Action, require
from server.policies.models import Part, Policy, Section, Sentence
from server.policies.services import get_part, get_policy, get_section, get_sentence


@dataclass
class Access:
    membership: Membership

    @property
    def group(self) -> Group:
        return self.membership.group


def group_access(db: Session, user_id: int | None, group_id: int,
                 action: Action = Action.VIEW) -> Access:
    group = db.get(Group, group_id)
    if group is None:
        raise NotFound("That group was not found.")
    return Access(require(db, user_id, group.id, action, what="That group"))


def subgroup_access(db: Session, user_id: int | None, subgroup_id: int,
                    action: Action = Action.VIEW) -> tuple[Subgroup, Access]:
    sub = db.get(Subgroup, subgroup_id)
    if sub is None:
        raise NotFound("That sub-group was not found.")
    return sub, group_access(db, user_id, sub.group_id, action)


def policy_access(db: Session, user_id: int | None, policy_id: int,
                  action: Action = Action.VIEW) -> tuple[Policy, Access]:
    policy = get_policy(db, policy_id)
    return policy, _on(db, user_id, policy.group_id, action, None, "That policy")


def part_access(db: Session, user_id: int | None, part_id: int,
                action: Action = Action.VIEW) -> tuple[Part, Access]:
    part = get_part(db, part_id)
    return part, _on(db, user_id, part.policy.group_id, action, None, "That part")


def section_access(db: Session, user_id: int | None, section_id: int,
                   action: Action = Action.VIEW) -> tuple[Section, Access]:
    section = get_section(db, section_id)
    group_id = db.scalar(select(Policy.group_id).where(Policy.id == section.policy_id))
    return section, _on(db, user_id, group_id, action, section.subgroup_id, "That section")


def sentence_access(db: Session, user_id: int | None, sentence_id: int,
                    action: Action = Action.VIEW) -> tuple[Sentence, Access]:
    sentence = get_sentence(db, sentence_id)
    _section, access = section_access(db, user_id, sentence.section_id, action)
    return sentence, access


def _on(db, user_id, group_id, action, subgroup_id, what) -> Access:
    return Access(require(db, user_id, group_id, action, subgroup_id, what=what))
