"""History fixtures: a group with two editors in the owning sub-group, a watcher,
and a policy with two parts and a section; helpers to read the live policy
exactly as history should rebuild it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.api.conftest import Api


@pytest.fixture
def api(client):
    return Api(client)


@dataclass
class Team:
    group: object
    sub: object
    policy: object
    section: object
    fac: object
    alice: object
    bob: object
    carol: object  # a member outside the owning sub-group


@pytest.fixture
def team(make) -> Team:
    fac = make.user("Fatima Facilitator", "fatima@example.org")
    alice = make.user("Alice Parent", "alice@example.org")
    bob = make.user("Bob Teacher", "bob@example.org")
    carol = make.user("Carol Nurse", "carol@example.org")
    group = make.group(fac, "Northshire")
    ma, mb = make.member(group, alice), make.member(group, bob, "education")
    make.member(group, carol, "health")
    sub = make.subgroup(group, "Money", members=[ma, mb])
    policy = make.policy(group, fac, "Budget policy", parts=("Questions", "Processes"))
    section = make.section(
        policy.parts[0],
        fac,
        sub,
        "What is a budget?",
        "A budget is money. You can ask for one. We answer in four weeks.",
    )
    return Team(group, sub, policy, section, fac, alice, bob, carol)


def live_outline(db, policy) -> list:
    """The policy as stored now, in the shape compared with history."""
    from server.policies import services as policies

    db.expire_all()
    outline = policies.policy_outline(db, policy)
    text = policies.sentences_of(db, [s.id for _p, secs in outline for s in secs])
    return [
        (
            p.title,
            [
                (s.id, s.title, s.subgroup_id, s.status.value, [(x.id, x.text) for x in text[s.id]])
                for s in secs
            ],
        )
        for p, secs in outline
    ]


def state_outline(state) -> list:
    """A history PolicyState in the same shape as live_outline."""
    return [
        (
            p["title"],
            [
                (
                    s["id"],
                    s["title"],
                    s["subgroup_id"],
                    s["status"],
                    [(x["id"], x["text"]) for x in s["sentences"]],
                )
                for s in p["sections"]
            ],
        )
        for p in state.outline()
    ]
