"""API test helpers: a client that speaks JSON with a token, and a small world of
people in two groups to act on."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import PASSWORD

V1 = "/api/v1"


class Api:
    """The test client, aimed at /api/v1, sending JSON and a bearer token."""

    def __init__(self, client):
        self.client = client

    def call(self, method: str, path: str, token: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(V1 + path, method=method, headers=headers, **kwargs)

    def get(self, path, token=None, **kw):
        return self.call("GET", path, token, **kw)

    def post(self, path, token=None, json=None, **kw):
        return self.call("POST", path, token, json=json, **kw)

    def patch(self, path, token=None, json=None, **kw):
        return self.call("PATCH", path, token, json=json, **kw)

    def delete(self, path, token=None, **kw):
        return self.call("DELETE", path, token, **kw)

    def token(self, email: str, password: str = PASSWORD) -> str:
        reply = self.post("/tokens", json={"email": email, "password": password, "name": "tests"})
        assert reply.status_code == 201, reply.get_json()
        return reply.get_json()["token"]


@pytest.fixture
def api(client):
    return Api(client)


@dataclass
class World:
    """Group "Northshire": a facilitator, a parent carer in sub-group "Money", and a
    health worker in no sub-group. Group "Elsewhere" has its own facilitator, sub-group
    and policy, to prove ids cross no group boundary."""

    group: int
    subgroup: int
    facilitator: int
    editor: int
    member: int
    fac: str
    ed: str
    mem: str
    other_group: int
    other_subgroup: int
    other_fac: int
    other: str
    other_policy: int
    other_part: int
    other_section: int
    other_sentence: int


@pytest.fixture
def world(make, api) -> World:
    fac = make.user("Fran Facilitator", "fran@example.org")
    ed = make.user("Pat Parent", "pat@example.org")
    mem = make.user("Hana Health", "hana@example.org")
    group = make.group(fac, "Northshire")
    editor = make.member(group, ed, "parent_carer")
    make.member(group, mem, "health")
    sub = make.subgroup(group, "Money", members=[editor])

    ofac = make.user("Olu Other", "olu@example.org")
    ogroup = make.group(ofac, "Elsewhere")
    osub = make.subgroup(ogroup, "Theirs")
    w = World(
        group=group.id,
        subgroup=sub.id,
        facilitator=fac.id,
        editor=ed.id,
        member=mem.id,
        fac=make.token(fac),
        ed=make.token(ed),
        mem=make.token(mem),
        other_group=ogroup.id,
        other_subgroup=osub.id,
        other_fac=ofac.id,
        other=make.token(ofac),
        other_policy=0,
        other_part=0,
        other_section=0,
        other_sentence=0,
    )
    policy = api.post(
        f"/groups/{ogroup.id}/policies", w.other, {"title": "Their policy", "parts": ["Their part"]}
    ).get_json()
    w.other_policy = policy["id"]
    w.other_part = policy["parts"][0]["id"]
    section = api.post(
        f"/parts/{w.other_part}/sections",
        w.other,
        {"title": "Theirs", "subgroup_id": osub.id, "text": "Private."},
    ).get_json()
    w.other_section = section["id"]
    w.other_sentence = section["sentences"][0]["id"]
    return w
