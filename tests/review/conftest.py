"""A group with a sub-group that owns one section, and members outside it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from server.groups.models import Membership
from server.policies.models import Section


@dataclass
class World:
    facilitator: Membership
    writer: Membership  # in the owning sub-group
    others: list[Membership]  # members outside it
    section: Section

    @property
    def everyone(self) -> list[Membership]:
        return [self.facilitator, self.writer, *self.others]


@pytest.fixture
def world(make, db) -> World:
    chair = make.user("Fran Facilitator")
    group = make.group(chair)
    from server.groups.services import get_member

    facilitator = get_member(db, group.id, chair.id)
    writer = make.member(group, make.user("Wren Writer"))
    others = [make.member(group, make.user(f"Member {i}")) for i in range(3)]
    sub = make.subgroup(group, "Writers", members=[writer])
    policy = make.policy(group, chair)
    section = make.section(
        policy.parts[0],
        chair,
        sub,
        text=(
            "You can ask for a personal budget. The council pays it monthly. "
            "Ask your coordinator for help."
        ),
    )
    return World(facilitator, writer, others, section)
