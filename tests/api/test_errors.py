"""How the API refuses: one JSON error format for every status, bodies that are not
JSON objects, bodies too large, and browser sessions without a CSRF token."""

from __future__ import annotations

import json

from server.accounts.services import start_session
from tests.api.conftest import V1
from tests.api.support import error


def test_unknown_paths_and_methods_answer_in_json(api, world):
    error(api.get("/nothing-here", world.fac), 404, "not_found")
    error(api.call("PUT", f"/groups/{world.group}", world.fac, json={}), 405, "method_not_allowed")
    error(api.get("/groups/0", world.fac), 404)
    error(api.get("/groups/-1", world.fac), 404)
    error(api.get("/policies/99999999999999999999999", world.fac), 404)


def test_replies_are_json_and_not_cached(api, world):
    reply = api.get("/me", world.fac)
    assert reply.mimetype == "application/json"
    assert reply.headers["Cache-Control"] == "no-store"
    assert error(api.get("/me"), 401)["message"]


def test_a_body_that_is_not_json_is_refused_and_changes_nothing(api, world):
    path = f"/groups/{world.group}"
    err = error(api.patch(path, world.fac, data={"name": "Form"}), 415, "unsupported_media_type")
    assert "application/json" in err["message"]
    error(api.patch(path, world.fac, data="name=Text", content_type="text/plain"), 415)
    err = error(
        api.patch(path, world.fac, data="{not json", content_type="application/json"),
        400,
        "bad_request",
    )
    assert "JSON object" in err["message"]
    error(api.patch(path, world.fac, data="[1, 2]", content_type="application/json"), 400)
    error(api.patch(path, world.fac, data="null", content_type="application/json"), 400)
    assert api.get(path, world.fac).get_json()["name"] == "Northshire"


def test_a_call_that_takes_no_body_refuses_any_field(api, world):
    """Unknown fields are refused everywhere (docs/api.md), so a call that takes no
    body refuses any field too: `{"x": 1}` used to mark every notification read."""
    refused = error(api.post("/notifications/read-all", world.mem, {"x": 1}), 422, "invalid")
    assert refused["fields"] == {"x": ["Unknown field."]}
    for body in (None, {}):
        assert api.post("/notifications/read-all", world.mem, body).status_code == 200


def test_a_missing_body_is_422_with_the_required_fields(api, world):
    err = error(api.post(f"/groups/{world.group}/subgroups", world.fac), 422, "invalid")
    assert err["fields"] == {"name": ["Missing data for required field."]}


def test_an_oversized_body_is_413_and_changes_nothing(api, world, app):
    big = "x" * app.config["MAX_CONTENT_LENGTH"]
    error(api.post(f"/groups/{world.group}/subgroups", world.fac, {"name": big}), 413, "too_large")
    error(api.post("/tokens", json={"email": big, "password": "x"}), 413)
    assert [
        s["name"] for s in api.get(f"/groups/{world.group}/subgroups", world.fac).get_json()
    ] == ["Money"]


def test_fields_errors_name_each_bad_field(api, world):
    err = error(
        api.post(
            f"/groups/{world.group}/invitations",
            world.fac,
            {"email": 1, "role": "king", "extra": True},
        ),
        422,
    )
    assert set(err["fields"]) == {"email", "role", "extra"}
    assert err["fields"]["extra"] == ["Unknown field."]
    assert all(isinstance(v, list) for v in err["fields"].values())


def test_a_browser_session_works_for_reading_but_writing_needs_the_csrf_token(
    app, api, make, world, db
):
    from server.accounts.models import User

    token, _row = start_session(db, db.get(User, world.facilitator), app.config["SESSION_LIFETIME"])
    db.commit()
    with api.client.session_transaction() as session:
        session["_user_id"] = token  # what Flask-Login keeps after a sign-in
    assert api.get("/me").get_json()["id"] == world.facilitator
    error(api.post("/groups", json={"name": "Forged"}), 400, "csrf_failed")
    # A request that names a token is judged by that token alone, never by the cookie
    # beside it: it skipped the CSRF check.
    assert api.post("/groups", world.mem, {"name": "Mine"}).status_code == 201
    assert [g["name"] for g in api.get("/groups").get_json()] == ["Northshire"]
    error(api.post("/groups", "cdt_wrong", {"name": "Forged"}), 401)
    assert [g["name"] for g in api.get("/groups").get_json()] == ["Northshire"]


def test_json_in_names_round_trips_exactly(api, world):
    tricky = 'Quote " backslash \\ tab\tnewline </script> é 🙂'
    sub = api.post(f"/groups/{world.group}/subgroups", world.fac, {"name": tricky}).get_json()
    assert sub["name"] == 'Quote " backslash \\ tab newline </script> é 🙂'
    raw = api.client.get(
        f"{V1}/subgroups/{sub['id']}", headers={"Authorization": f"Bearer {world.fac}"}
    ).get_data(as_text=True)
    assert json.loads(raw)["name"] == sub["name"]


def test_an_id_in_another_group_gets_the_404_of_an_id_that_does_not_exist(api, world):
    """docs/api.md: ids from other groups reveal nothing. The code was always
    `not_found`, but the message named the group or policy for an id that exists
    elsewhere and the thing itself for one that does not."""
    other, group = world.other, world.other_group
    checkpoint = api.post(f"/policies/{world.other_policy}/checkpoints", other, {"name": "Theirs"})
    term = api.post(f"/groups/{group}/glossary", other, {"term": "Zed", "explanation": "A z."})
    statement = api.post(f"/groups/{group}/statements", other, {"text": "I was heard."})
    ids = {
        "checkpoint": checkpoint.get_json()["id"],
        "term": term.get_json()["id"],
        "statement": statement.get_json()["id"],
    }
    calls = [
        ("GET", "/checkpoints/{}", ids["checkpoint"], None),
        ("PATCH", "/glossary/{}", ids["term"], {"term": "Zed", "explanation": "Mine."}),
        ("PATCH", "/statements/{}", ids["statement"], {"active": False}),
        ("GET", "/sections/{}/history", world.other_section, None),
        ("GET", "/sentences/{}/history", world.other_sentence, None),
        ("GET", "/sentences/{}/versions", world.other_sentence, None),
        ("PUT", "/sentences/{}/dismissed-hints/jargon", world.other_sentence, None),
    ]
    for method, path, real, body in calls:
        theirs = error(api.call(method, path.format(real), world.fac, json=body), 404)
        none = error(api.call(method, path.format(424242), world.fac, json=body), 404)
        assert theirs == none, (path, theirs, none)
