"""Hostile JSON bodies get a 400 with the API's JSON error and change nothing:
deep nesting (the parser's recursion limit) and lone surrogate escapes (which
decode into strings that cannot be stored), for anonymous and signed-in callers."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from server.accounts.models import ApiToken
from server.groups.models import Group
from tests.api.support import error

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 60_000 + "1" + "}" * 60_000  # under the 512 KiB body limit


def _post(api, path, raw: str, token=None):
    return api.call("POST", path, token, data=raw, content_type="application/json")


def test_deep_nesting_to_sign_in_is_a_400_not_a_500(api, make):
    make.user("Ann", "ann@example.org")
    for raw in (DEEP, DEEP_OBJECT):
        err = error(_post(api, "/tokens", raw), 400, "bad_request")
        assert "nested too deeply" in err["message"]


def test_deep_nesting_inside_a_field_is_a_400(api, make, db):
    make.user("Ann", "ann@example.org")
    token = api.token("ann@example.org")
    raw = '{"name": ' + DEEP + "}"
    error(_post(api, "/groups", raw, token), 400, "bad_request")
    assert db.scalar(select(func.count(Group.id))) == 0


def test_lone_surrogates_are_a_400_not_a_500(api, make, db):
    make.user("Ann", "ann@example.org")
    for field in ("email", "password", "name"):
        body = {"email": "ann@example.org", "password": "correct horse battery", "name": "x"}
        raw = json.dumps(body).replace(f'"{field}": "', f'"{field}": "\\ud800', 1)
        assert "\\ud800" in raw
        err = error(_post(api, "/tokens", raw), 400, "bad_request")
        assert "lone surrogate" in err["message"]
    low = '{"email": "ann@example.org", "password": "x\\udc00", "name": "x"}'
    error(_post(api, "/tokens", low), 400, "bad_request")
    as_key = '{"\\udfff": 1, "email": "ann@example.org", "password": "x", "name": "x"}'
    error(_post(api, "/tokens", as_key), 400, "bad_request")
    assert db.scalar(select(func.count(ApiToken.id))) == 0


def test_lone_surrogates_in_a_signed_in_write_change_nothing(api, make, db):
    make.user("Ann", "ann@example.org")
    token = api.token("ann@example.org")
    error(_post(api, "/groups", '{"name": "Group \\ud83d"}', token), 400, "bad_request")
    assert db.scalar(select(func.count(Group.id))) == 0


def test_a_proper_surrogate_pair_is_an_ordinary_character(api, make):
    make.user("Ann", "ann@example.org")
    token = api.token("ann@example.org")
    reply = _post(api, "/groups", '{"name": "Parents \\ud83d\\ude00"}', token)
    assert reply.status_code == 201, reply.get_json()
    assert reply.get_json()["name"] == "Parents \U0001f600"


def test_moderate_nesting_is_an_ordinary_validation_error(api, make):
    make.user("Ann", "ann@example.org")
    token = api.token("ann@example.org")
    raw = '{"name": ' + "[" * 200 + "]" * 200 + "}"
    error(_post(api, "/groups", raw, token), 422, "invalid")
