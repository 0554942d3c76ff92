"""Tokens (signing in as a program), /me, and password reset links."""

from __future__ import annotations

from tests.api.support import error
from tests.conftest import PASSWORD


def test_a_token_is_made_from_email_and_password_and_works(api, make):
    make.user("Ann", "Ann@Example.org")
    reply = api.post(
        "/tokens", json={"email": " ann@example.ORG ", "password": PASSWORD, "name": "my script"}
    )
    assert reply.status_code == 201
    body = reply.get_json()
    assert set(body) == {"id", "name", "prefix", "token", "created_at", "last_used_at"}
    assert body["name"] == "my script"
    assert body["token"].startswith("cdt_") and body["token"].startswith(body["prefix"])
    me = api.get("/me", body["token"])
    assert me.status_code == 200
    assert me.get_json() == {
        "credit_by_name": False,
        "suggestions_inline": False,
        "id": me.get_json()["id"],
        "email": "ann@example.org",
        "display_name": "Ann",
        "groups": [],
    }
    listed = api.get("/tokens", body["token"]).get_json()
    assert [t["id"] for t in listed] == [body["id"]]
    assert "token" not in listed[0]
    assert listed[0]["last_used_at"] is not None


def test_the_token_name_defaults(api, make):
    make.user("Ann", "ann@example.org")
    reply = api.post("/tokens", json={"email": "ann@example.org", "password": PASSWORD})
    assert reply.status_code == 201 and reply.get_json()["name"] == "API"


def test_wrong_email_and_wrong_password_get_the_same_401(api, make):
    make.user("Ann", "ann@example.org")
    wrong_password = error(
        api.post("/tokens", json={"email": "ann@example.org", "password": "not the password"}),
        401,
        "sign_in_failed",
    )
    wrong_email = error(
        api.post("/tokens", json={"email": "nobody@example.org", "password": PASSWORD}),
        401,
        "sign_in_failed",
    )
    assert wrong_password == wrong_email


def test_a_disabled_account_gets_no_token(api, make, db):
    user = make.user("Ann", "ann@example.org")
    token = make.token(user)
    db.get(type(user), user.id).is_active = False
    db.commit()
    error(api.post("/tokens", json={"email": "ann@example.org", "password": PASSWORD}), 401)
    error(api.get("/me", token), 401, "not_authenticated")


def test_bad_sign_in_bodies_are_422_with_fields(api):
    for body, fields in [
        ({}, {"email", "password"}),
        ({"email": "a@example.org"}, {"password"}),
        ({"email": 5, "password": PASSWORD}, {"email"}),
        ({"email": "a@example.org", "password": ["x"]}, {"password"}),
        ({"email": "a@example.org", "password": PASSWORD, "name": ""}, {"name"}),
        ({"email": "a@example.org", "password": PASSWORD, "admin": True}, {"admin"}),
    ]:
        err = error(api.post("/tokens", json=body), 422, "invalid")
        assert set(err["fields"]) == fields, body


def test_a_revoked_token_stops_working_at_once(api, make):
    user = make.user("Ann", "ann@example.org")
    keep, spare = api.token("ann@example.org"), api.token("ann@example.org")
    spare_id = [t["id"] for t in api.get("/tokens", keep).get_json()][1]
    assert api.delete(f"/tokens/{spare_id}", keep).status_code == 204
    error(api.get("/me", spare), 401, "not_authenticated")
    assert [t["id"] for t in api.get("/tokens", keep).get_json()] != [spare_id]
    error(api.delete(f"/tokens/{spare_id}", keep), 404)  # gone already
    assert user.id == api.get("/me", keep).get_json()["id"]


def test_nobody_can_revoke_another_persons_token(api, make):
    make.user("Ann", "ann@example.org")
    make.user("Bob", "bob@example.org")
    ann, bob = api.token("ann@example.org"), api.token("bob@example.org")
    ann_token_id = api.get("/tokens", ann).get_json()[0]["id"]
    error(api.delete(f"/tokens/{ann_token_id}", bob), 404)
    assert api.get("/me", ann).status_code == 200


def test_no_or_bad_credentials_are_401(api):
    for headers in [
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer cdt_made_up"},
        {"Authorization": "Basic YTpi"},
    ]:
        for path in ("/me", "/tokens", "/groups"):
            error(api.get(path, headers=headers), 401, "not_authenticated")
        error(api.delete("/tokens/1", headers=headers), 401)


def test_me_lists_my_groups_with_my_role(api, world):
    me = api.get("/me", world.ed).get_json()
    assert me["display_name"] == "Pat Parent"
    assert me["groups"] == [{"id": world.group, "name": "Northshire", "role": "parent_carer"}]


# --- password resets --------------------------------------------------------------------


def test_a_facilitator_makes_a_reset_link_and_the_member_uses_it(api, world):
    reply = api.post(f"/groups/{world.group}/members/{world.member}/password-reset", world.fac)
    assert reply.status_code == 201
    link = reply.get_json()
    assert link["user_id"] == world.member
    assert link["url"] == f"http://localhost/reset/{link['token']}"
    assert (
        api.post(
            f"/password-resets/{link['token']}", json={"password": "a brand new password"}
        ).status_code
        == 204
    )
    error(api.post("/tokens", json={"email": "hana@example.org", "password": PASSWORD}), 401)
    assert api.token("hana@example.org", "a brand new password")
    error(
        api.post(f"/password-resets/{link['token']}", json={"password": "another new password"}),
        410,
        "gone",
    )
    assert api.token("hana@example.org", "a brand new password")  # reuse changed nothing


def test_a_newer_reset_link_replaces_the_older(api, world):
    path = f"/groups/{world.group}/members/{world.member}/password-reset"
    old = api.post(path, world.fac).get_json()["token"]
    new = api.post(path, world.fac).get_json()["token"]
    error(api.post(f"/password-resets/{old}", json={"password": "a brand new password"}), 410)
    assert (
        api.post(f"/password-resets/{new}", json={"password": "a brand new password"}).status_code
        == 204
    )


def test_reset_links_are_for_facilitators_and_members_of_their_group(api, world):
    path = f"/groups/{world.group}/members/{world.member}/password-reset"
    error(api.post(path, world.ed), 403, "forbidden")
    error(api.post(path, world.other), 404)
    error(api.post(path), 401)
    error(
        api.post(f"/groups/{world.group}/members/{world.other_fac}/password-reset", world.fac), 404
    )
    error(api.post(f"/groups/{world.group}/members/999999/password-reset", world.fac), 404)


def test_bad_reset_attempts(api, world):
    link = api.post(
        f"/groups/{world.group}/members/{world.member}/password-reset", world.fac
    ).get_json()
    error(api.post("/password-resets/not-a-real-token", json={"password": "long enough pw"}), 404)
    err = error(api.post(f"/password-resets/{link['token']}", json={"password": "short"}), 422)
    assert set(err["fields"]) == {"password"}
    err = error(api.post(f"/password-resets/{link['token']}", json={}), 422)
    assert set(err["fields"]) == {"password"}
    # The link still works after the refusals.
    assert (
        api.post(
            f"/password-resets/{link['token']}", json={"password": "a brand new password"}
        ).status_code
        == 204
    )


def test_an_expired_reset_link_is_410(api, world, db):
    from datetime import timedelta

    from server.accounts.models import PasswordReset
    from server.db import utcnow

    link = api.post(
        f"/groups/{world.group}/members/{world.member}/password-reset", world.fac
    ).get_json()
    for row in db.query(PasswordReset):
        row.expires_at = utcnow() - timedelta(minutes=1)
    db.commit()
    error(
        api.post(f"/password-resets/{link['token']}", json={"password": "a brand new pw"}),
        410,
        "gone",
    )


def test_a_password_reset_ends_the_persons_api_tokens_too(api, world, request):
    """A reset is what a facilitator does when a password may be known to someone
    else: every way in that the old password bought stops working, tokens included,
    and each token's end is announced so its live sockets are cut off."""
    from server import events

    announced = []
    for kind in (events.ApiTokenRevoked, events.SignInEnded):
        events.subscribe(kind, announced.append)
        request.addfinalizer(lambda kind=kind: events._subscribers[kind].remove(announced.append))
    second = api.token("hana@example.org")
    assert api.get("/me", world.mem).status_code == 200
    link = api.post(
        f"/groups/{world.group}/members/{world.member}/password-reset", world.fac
    ).get_json()
    assert api.get("/me", world.mem).status_code == 200  # making the link changes nothing
    reply = api.post(f"/password-resets/{link['token']}", json={"password": "a brand new password"})
    assert reply.status_code == 204
    for old in (world.mem, second):
        error(api.get("/me", old), 401, "not_authenticated")
        error(api.get(f"/groups/{world.group}", old), 401)
    revoked = {e.api_token_id for e in announced if isinstance(e, events.ApiTokenRevoked)}
    assert len(revoked) == 2
    assert events.SignInEnded(user_id=world.member) in announced
    fresh = api.token("hana@example.org", "a brand new password")
    assert api.get("/tokens", fresh).get_json()[0]["name"] == "tests"  # only the new one
    assert len(api.get("/tokens", fresh).get_json()) == 1
    assert api.get("/me", world.fac).status_code == 200  # nobody else's tokens


def test_you_change_your_name(api, make):
    make.user("Ann", "ann@example.org")
    token = api.token("ann@example.org")
    me = api.patch("/me", token, {"display_name": "  Ann\u200b  Lee "})
    assert me.status_code == 200 and me.get_json()["display_name"] == "Ann Lee"
    err = error(api.patch("/me", token, {"display_name": " \u200b "}), 422, "invalid")
    assert "display_name" in err["fields"]
    err = error(api.patch("/me", token, {"display_name": "x" * 81}), 422, "invalid")
    assert "display_name" in err["fields"]
    assert api.get("/me", token).get_json()["display_name"] == "Ann Lee"


def test_you_change_your_password_giving_the_current_one(api, make):
    make.user("Ann", "ann@example.org")
    token = api.token("ann@example.org")
    new = "a brand new secret"
    wrong = {"current_password": "not it at all", "password": new}
    err = error(api.post("/me/password", token, wrong), 422, "invalid")
    assert list(err["fields"]) == ["current_password"]
    short = {"current_password": PASSWORD, "password": "short"}
    assert list(error(api.post("/me/password", token, short), 422)["fields"]) == ["password"]
    error(api.post("/me/password", token, {"password": new}), 422)
    assert api.get("/me", token).status_code == 200  # nothing changed so far

    assert (
        api.post("/me/password", token, {"current_password": PASSWORD, "password": new}).status_code
        == 204
    )
    error(api.get("/me", token), 401, "not_authenticated")  # this token ended too
    error(api.post("/tokens", json={"email": "ann@example.org", "password": PASSWORD}), 401)
    assert api.get("/me", api.token("ann@example.org", new)).status_code == 200
