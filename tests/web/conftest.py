"""Page-test helpers: post a form the way a browser does (CSRF token included),
and a small group with a facilitator, a member, an outsider and a policy."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.conftest import sign_in

_TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf(client) -> str:
    """The CSRF token of the client's session, read from a page's form."""
    page = client.get("/account")
    if page.status_code != 200:
        page = client.get("/sign-in")
    return _TOKEN.search(page.get_data(as_text=True)).group(1)


def post(client, url: str, data: dict | None = None, **kwargs):
    return client.post(url, data={"csrf_token": csrf(client), **(data or {})}, **kwargs)


def text(response) -> str:
    return response.get_data(as_text=True)


def readable_session(app, client) -> str:
    """What anyone holding the session cookie can read in it (it is signed, not
    encrypted), as text."""
    import json

    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    if cookie is None:
        return ""
    data = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    return json.dumps(data, default=str)


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch):
    """Hash test passwords with argon2's cheapest settings: the real ones are meant
    to be slow, and page tests make many accounts."""
    from argon2 import PasswordHasher

    from server.accounts import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", lambda: cheap)
    monkeypatch.setattr(passwords, "_dummy_hash", lambda: cheap.hash("not a real password"))


@dataclass
class World:
    group: object
    facilitator: object
    member: object
    member_ship: object
    outsider: object
    subgroup: object
    policy: object
    part: object
    section: object


@pytest.fixture
def world(make) -> World:
    facilitator = make.user("Fatima Facilitator", "fatima@example.org")
    group = make.group(facilitator, "Northshire group")
    member = make.user("Sam Parent", "sam@example.org")
    ship = make.member(group, member, "parent_carer")
    outsider = make.user("Olly Outsider", "olly@example.org")
    make.group(outsider, "Another group")
    sub = make.subgroup(group, "Families' questions", members=[ship])
    policy = make.policy(
        group,
        facilitator,
        "Personal Budget policy",
        parts=("Frequently asked questions", "Administration"),
    )
    part = policy.parts[0]
    section = make.section(
        part,
        facilitator,
        sub,
        "What is a Personal Budget?",
        "It is money for support. You can ask for one.",
        kind="faq",
    )
    return World(group, facilitator, member, ship, outsider, sub, policy, part, section)


@pytest.fixture
def as_facilitator(client, world):
    assert sign_in(client, world.facilitator.email).status_code == 302
    return client


@pytest.fixture
def as_member(client, world):
    assert sign_in(client, world.member.email).status_code == 302
    return client


@pytest.fixture
def as_outsider(client, world):
    assert sign_in(client, world.outsider.email).status_code == 302
    return client
