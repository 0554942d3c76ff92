"""Invitations: made by facilitators, shown and accepted by whoever holds the link."""

from __future__ import annotations

from datetime import timedelta

from server.db import utcnow
from server.groups.models import Invitation
from tests.api.support import error
from tests.conftest import PASSWORD


def invite(api, world, email="new@example.org", role="young_person", **extra):
    reply = api.post(
        f"/groups/{world.group}/invitations", world.fac, {"email": email, "role": role, **extra}
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def test_a_facilitator_invites_and_the_person_joins(api, world):
    inv = invite(api, world, "New.Person@Example.org", display_name="Yasmin")
    assert inv["email"] == "new.person@example.org" and inv["role"] == "young_person"
    assert inv["url"] == f"http://localhost/invitations/{inv['token']}"
    pending = api.get(f"/groups/{world.group}/invitations", world.fac).get_json()
    assert [(p["id"], p["email"]) for p in pending] == [(inv["id"], "new.person@example.org")]
    assert "token" not in pending[0] and "url" not in pending[0]

    shown = api.get(f"/invitations/{inv['token']}")
    assert shown.status_code == 200
    assert shown.get_json() == {
        "group": {"id": world.group, "name": "Northshire"},
        "email": "new.person@example.org",
        "display_name": "Yasmin",
        "role": "young_person",
        "expires_at": inv["expires_at"],
    }

    reply = api.post(f"/invitations/{inv['token']}/accept", json={"password": PASSWORD})
    assert reply.status_code == 201
    joined = reply.get_json()
    assert joined["user"]["display_name"] == "Yasmin"
    assert joined["membership"]["group_id"] == world.group
    assert joined["membership"]["role"] == "young_person"
    token = api.token("new.person@example.org")
    assert api.get("/me", token).get_json()["groups"] == [
        {"id": world.group, "name": "Northshire", "role": "young_person"}
    ]
    assert api.get(f"/groups/{world.group}/invitations", world.fac).get_json() == []

    error(api.get(f"/invitations/{inv['token']}"), 410, "invitation_used")
    error(
        api.post(f"/invitations/{inv['token']}/accept", json={"password": PASSWORD}),
        410,
        "invitation_used",
    )


def test_an_expired_invitation_is_410_and_changes_nothing(api, world, db):
    inv = invite(api, world)
    row = db.get(Invitation, inv["id"])
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    error(api.get(f"/invitations/{inv['token']}"), 410, "invitation_expired")
    error(
        api.post(
            f"/invitations/{inv['token']}/accept",
            json={"display_name": "Late", "password": PASSWORD},
        ),
        410,
        "invitation_expired",
    )
    error(api.post("/tokens", json={"email": "new@example.org", "password": PASSWORD}), 401)
    assert len(api.get(f"/groups/{world.group}/members", world.fac).get_json()) == 3


def test_unknown_and_withdrawn_invitations(api, world):
    error(api.get("/invitations/made-up"), 404, "not_found")
    error(api.post("/invitations/made-up/accept", json={"password": PASSWORD}), 404)
    inv = invite(api, world)
    error(api.delete(f"/groups/{world.group}/invitations/{inv['id']}", world.ed), 403)
    error(api.delete(f"/groups/{world.other_group}/invitations/{inv['id']}", world.other), 404)
    assert (
        api.delete(f"/groups/{world.group}/invitations/{inv['id']}", world.fac).status_code == 204
    )
    error(api.get(f"/invitations/{inv['token']}"), 410, "invitation_used")
    error(api.delete(f"/groups/{world.group}/invitations/999999", world.fac), 404)


def test_only_facilitators_invite_or_see_invitations(api, world):
    path = f"/groups/{world.group}/invitations"
    body = {"email": "x@example.org", "role": "health"}
    error(api.post(path, world.ed, body), 403)
    error(api.get(path, world.ed), 403)
    error(api.post(path, world.other, body), 404)
    error(api.get(f"/groups/{world.other_group}/invitations", world.fac), 404)
    error(api.post(path, None, body), 401)
    assert api.get(path, world.fac).get_json() == []


def test_bad_invitations_are_422(api, world):
    for body, fields in [
        ({}, {"email", "role"}),
        ({"email": "x@example.org", "role": "king"}, {"role"}),
        ({"email": "not an email", "role": "health"}, {"email"}),
        ({"email": ["x@example.org"], "role": "health"}, {"email"}),
        ({"email": "x@example.org", "role": "health", "display_name": 3}, {"display_name"}),
    ]:
        err = error(api.post(f"/groups/{world.group}/invitations", world.fac, body), 422)
        assert set(err["fields"]) == fields, body
    assert api.get(f"/groups/{world.group}/invitations", world.fac).get_json() == []


def test_inviting_a_member_is_409(api, world):
    error(
        api.post(
            f"/groups/{world.group}/invitations",
            world.fac,
            {"email": "PAT@example.org", "role": "health"},
        ),
        409,
        "already_member",
    )


def test_someone_with_an_account_accepts_with_their_password_or_token(api, world):
    inv = invite(api, world, "olu@example.org", "advice_service")
    err = error(
        api.post(f"/invitations/{inv['token']}/accept", json={"password": "not my password"}),
        401,
        "sign_in_failed",
    )
    assert "password" in err["fields"]
    assert api.get(f"/invitations/{inv['token']}").status_code == 200  # still usable
    reply = api.post(f"/invitations/{inv['token']}/accept", world.other, {})
    assert reply.status_code == 201
    assert reply.get_json()["user"]["id"] == world.other_fac
    roles = {g["name"]: g["role"] for g in api.get("/me", world.other).get_json()["groups"]}
    assert roles == {"Elsewhere": "facilitator", "Northshire": "advice_service"}


def test_accepting_someone_elses_invitation_with_your_token_needs_their_password(api, world):
    inv = invite(api, world, "olu@example.org")
    error(api.post(f"/invitations/{inv['token']}/accept", world.mem, {}), 401)


def test_a_new_account_needs_a_good_password_and_a_name(api, world):
    inv = invite(api, world)
    for body, field in [
        ({}, "password"),
        ({"password": "short"}, "password"),
        ({"password": PASSWORD}, "display_name"),
        ({"password": 12345678901}, "password"),
    ]:
        err = error(api.post(f"/invitations/{inv['token']}/accept", json=body), 422)
        assert field in err["fields"], (body, err)
    error(api.post("/tokens", json={"email": "new@example.org", "password": PASSWORD}), 401)
    assert (
        api.post(
            f"/invitations/{inv['token']}/accept",
            json={"display_name": "<i>Yas</i>", "password": PASSWORD},
        ).get_json()["user"]["display_name"]
        == "<i>Yas</i>"
    )
