"""A group with a policy to search, another group with the same words, and a
person outside; built through the real services, searched through HTTP."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher

from tests.conftest import Factory

V1 = "/api/v1"


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch):
    """Cheap argon2 settings: the real ones are meant to be slow."""
    from server.accounts import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", lambda: cheap)
    monkeypatch.setattr(passwords, "_dummy_hash", lambda: cheap.hash("not a real password"))


@dataclass
class World:
    make: Factory
    group: object
    member: object  # a User
    membership: object
    outsider: object
    policy: object
    section: object
    other_group: object
    other_section: object
    token: str
    outsider_token: str


def build(make: Factory) -> World:
    fac = make.user("Fran Facilitator", "fran@example.org")
    pat = make.user("Pat Parent", "pat@example.org")
    group = make.group(fac, "Northshire")
    membership = make.member(group, pat)
    sub = make.subgroup(group, "Transport", members=[membership])
    policy = make.policy(group, fac, "Travel to school", parts=("Getting there",))
    section = make.section(
        policy.parts[0],
        fac,
        sub,
        title="Pick-up routes",
        text="The minibus collects every pupil by eight. Carers may ride along.",
    )
    ofac = make.user("Olu Other", "olu@example.org")
    other = make.group(ofac, "Elsewhere")
    osub = make.subgroup(other, "Theirs")
    opolicy = make.policy(other, ofac, "Their policy")
    osection = make.section(
        opolicy.parts[0], ofac, osub, title="Their minibus", text="Their minibus is private."
    )
    return World(
        make,
        group,
        pat,
        membership,
        ofac,
        policy,
        section,
        other,
        osection,
        make.token(pat),
        make.token(ofac),
    )


@pytest.fixture
def world(make) -> World:
    return build(make)


def find(client, world: World, q: str, token: str | None = None, **params):
    headers = {"Authorization": f"Bearer {token or world.token}"}
    return client.get(
        f"{V1}/groups/{world.group.id}/search", query_string={"q": q, **params}, headers=headers
    )


def kinds(reply) -> list[tuple[str, str]]:
    assert reply.status_code == 200, reply.get_json()
    return [(h["kind"], h["text"]) for h in reply.get_json()["hits"]]
