"""Every API route signs the caller in before it reads the body or looks up an id:
an anonymous caller gets the same 401 whatever they send, so the reply tells them
nothing (not which fields a route takes, not whether comment 7 exists)."""

from __future__ import annotations

import re

import pytest

from server.api.common import PREFIX, PUBLIC_ENDPOINTS
from tests.api.support import error

BIGGEST_ID = 2**31 - 1  # in range for the routes, and no row has it
JUNK_BODIES = [
    None,
    {"json": {"junk": ["x"], "name": 7}},
    {"json": {}},
    {"data": "{not json", "content_type": "application/json"},
    {"data": "[" * 5000 + "]" * 5000, "content_type": "application/json"},
    {"data": "name=x", "content_type": "application/x-www-form-urlencoded"},
]
NO_SIGN_IN = [{}, {"Authorization": "Bearer cdt_made_up"}, {"Authorization": "Basic YTpi"}]


def _operations(spec) -> list[tuple[str, str, bool]]:
    return [
        (method.upper(), path, op.get("security") == [])
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method != "parameters"
    ]


def _fill(path: str, value) -> str:
    return re.sub(r"\{[^}]+\}", str(value), path)


@pytest.fixture
def spec(client):
    return client.get(f"{PREFIX}/openapi.json").get_json()


@pytest.fixture
def rows(make):
    """Something behind the small ids, so "exists" and "does not" could differ."""
    owner = make.user("Ann Owner", "ann@example.org")
    group = make.group(owner, "Northshire")
    make.subgroup(group, "Money")
    make.policy(group, owner, "Budget policy")
    return group


def test_every_route_answers_401_to_anonymous_callers_whatever_they_send(client, spec, rows):
    operations = _operations(spec)
    assert len(operations) >= 90  # the walk is not vacuous
    walked = 0
    for method, path, public in operations:
        if public:
            continue
        for value in (1, rows.id, BIGGEST_ID):
            for headers in NO_SIGN_IN:
                bodies = JUNK_BODIES if method in ("POST", "PUT", "PATCH") else JUNK_BODIES[:2]
                for body in bodies:
                    reply = client.open(
                        _fill(path, value), method=method, headers=headers, **(body or {})
                    )
                    where = f"{method} {path} id={value} {headers} {body and str(body)[:40]}"
                    assert reply.status_code == 401, where
                    assert reply.get_json() == {
                        "error": {"code": "not_authenticated", "message": "Sign in first."}
                    }, where
                    walked += 1
    assert walked > 1000


def test_public_routes_answer_junk_with_a_4xx_json_error_not_a_500(client, spec):
    public = [(m, p) for m, p, is_public in _operations(spec) if is_public]
    assert len(public) == 4
    for method, path in public:
        for body in JUNK_BODIES:
            reply = client.open(_fill(path, "junk-token"), method=method, **(body or {}))
            assert 400 <= reply.status_code < 500, (method, path, body and str(body)[:40])
            assert reply.get_json()["error"]["code"], (method, path)


def test_the_allow_list_is_exactly_the_routes_documented_as_public(app, spec):
    """The allow-list in server/api/common.py and the OpenAPI document agree."""
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    allowed = {
        (method, re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rules[name].rule))
        for name in PUBLIC_ENDPOINTS
        for method in rules[name].methods - {"HEAD", "OPTIONS"}
    }
    documented = {(m, p) for m, p, public in _operations(spec) if public}
    assert allowed == documented


def test_signed_in_callers_still_get_validation_and_not_found(api, make):
    """The 401 comes first only for anonymous callers; once signed in, the usual
    order holds: a bad body is 422 with field messages, an unknown id is 404."""
    make.user("Ann Owner", "ann@example.org")
    token = api.token("ann@example.org")
    err = error(api.post("/groups", token, json={"nme": 1}), 422, "invalid")
    assert "name" in err["fields"]
    error(api.get(f"/comments/{BIGGEST_ID}", token), 404, "not_found")
    error(api.get("/groups/1", token), 404)


def test_the_openapi_document_stays_public(client):
    assert client.get(f"{PREFIX}/openapi.json").status_code == 200
