"""Accepting an invitation: as a new person, with an existing account, already
signed in, and the links that no longer work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from server.accounts.services import user_by_email
from server.db import utcnow
from server.groups.models import Invitation, Membership, Role
from server.groups.services import invite
from tests.conftest import PASSWORD, sign_in
from tests.web.conftest import post, readable_session, text


@pytest.fixture
def make_invitation(db, world):
    def _make(email="new.person@example.org", role="young_person", name="", expired=False):
        token, row = invite(
            db, world.group, world.facilitator, email, role, timedelta(days=7), name
        )
        if expired:
            row.expires_at = utcnow() - timedelta(minutes=1)
        db.commit()
        return token

    return _make


def test_new_person_sees_the_group_and_role(client, make_invitation):
    page = text(client.get(f"/invitations/{make_invitation(name='Alex')}"))
    assert "Join Northshire group" in page
    assert "Fatima Facilitator invited you" in page
    assert "Young person" in page
    assert "new.person@example.org" in page
    assert "Make your account" in page
    assert 'value="Alex"' in page  # the name the facilitator gave, ready to change
    assert 'autocomplete="new-password"' in page


def test_new_person_joins_and_is_signed_in(client, db, world, make_invitation):
    token = make_invitation()
    response = post(
        client,
        f"/invitations/{token}",
        {
            "display_name": "Alex Rivers",
            "password": "a long new password",
            "confirm": "a long new password",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/groups/{world.group.id}"
    page = text(client.get(response.headers["Location"]))
    assert "Welcome to Northshire group. You joined as: Young person." in page
    user = user_by_email(db, "new.person@example.org")
    assert user.display_name == "Alex Rivers"
    ship = db.scalar(select(Membership).where(Membership.user_id == user.id))
    assert ship.role == Role.YOUNG_PERSON and ship.group_id == world.group.id


def test_new_person_form_checks(client, db, make_invitation):
    token = make_invitation()
    response = post(
        client,
        f"/invitations/{token}",
        {"display_name": "", "password": "short", "confirm": "other"},
    )
    assert response.status_code == 422
    page = text(response)
    assert "Enter the name other members will see." in page
    assert "Use at least 10 characters." in page
    assert "The two passwords are different." in page
    assert user_by_email(db, "new.person@example.org") is None


def test_existing_account_joins_with_its_password(client, db, world, make, make_invitation):
    person = make.user("Priya Shah", "priya@example.org")
    token = make_invitation(email="priya@example.org", role="education")
    page = text(client.get(f"/invitations/{token}"))
    assert "You already have an account" in page and "Your name" not in page
    wrong = post(client, f"/invitations/{token}", {"password": "not the right one"})
    assert wrong.status_code == 401
    assert "Enter its password to accept the invitation." in text(wrong)
    response = post(client, f"/invitations/{token}", {"password": PASSWORD})
    assert response.status_code == 302
    assert "Welcome to Northshire group" in text(client.get(response.headers["Location"]))
    assert (
        db.scalar(
            select(Membership.role).where(
                Membership.user_id == person.id, Membership.group_id == world.group.id
            )
        )
        == Role.EDUCATION
    )


def test_signed_in_as_the_invited_account_just_accepts(client, world, make, make_invitation):
    person = make.user("Priya Shah", "priya@example.org")
    token = make_invitation(email="priya@example.org")
    sign_in(client, person.email)
    page = text(client.get(f"/invitations/{token}"))
    assert "You are signed in as Priya Shah." in page and 'type="password"' not in page
    response = post(client, f"/invitations/{token}")
    assert response.status_code == 302
    assert client.get(f"/groups/{world.group.id}").status_code == 200


def test_signed_in_as_someone_else_is_told_to_sign_out(as_outsider, db, make_invitation):
    token = make_invitation()
    page = text(as_outsider.get(f"/invitations/{token}"))
    assert "You are signed in as Olly Outsider" in page
    assert f'name="next" value="/invitations/{token}"' in page
    response = post(as_outsider, f"/invitations/{token}")
    assert response.status_code == 409
    assert db.scalar(select(Invitation.used_at)) is None
    signed_out = post(as_outsider, "/sign-out", {"next": f"/invitations/{token}"})
    assert signed_out.headers["Location"] == f"/invitations/{token}"
    assert "Make your account" in text(as_outsider.get(f"/invitations/{token}"))


def test_expired_invitation(client, make_invitation):
    response = client.get(f"/invitations/{make_invitation(expired=True)}")
    assert response.status_code == 410
    page = text(response)
    assert "This invitation cannot be used" in page
    assert "That invitation has expired. Ask the facilitator for a new one." in page


def test_used_invitation_cannot_be_used_again(app, client, make_invitation):
    token = make_invitation()
    post(
        client,
        f"/invitations/{token}",
        {
            "display_name": "Alex",
            "password": "a long new password",
            "confirm": "a long new password",
        },
    )
    other = app.test_client()
    response = other.get(f"/invitations/{token}")
    assert response.status_code == 410
    assert "That invitation was used already." in text(response)
    again = post(
        other,
        f"/invitations/{token}",
        {"display_name": "Mallory", "password": "another password", "confirm": "another password"},
    )
    assert again.status_code == 410


def test_revoked_invitation(client, db, make_invitation):
    token = make_invitation()
    db.scalar(select(Invitation)).revoked_at = utcnow()
    db.commit()
    assert client.get(f"/invitations/{token}").status_code == 410


def test_unknown_invitation(client):
    response = client.get("/invitations/no-such-token")
    assert response.status_code == 404
    assert "That invitation link is not valid." in text(response)
    assert "sign in" in text(response)


# --- links shown once are not kept in the cookie ------------------------------------------


def test_invitation_and_reset_links_never_go_into_the_session_cookie(app, world):
    """The facilitator sees a new link once, in the reply to the POST that made it.
    The session cookie is only signed, so a link put there (as before) could be read
    by anyone holding the cookie, long after the page was closed."""
    client = app.test_client()
    sign_in(client, world.facilitator.email)
    invited = post(
        client,
        f"/groups/{world.group.id}/invitations",
        {"email": "new.person@example.org", "role": "young_person", "display_name": ""},
    )
    assert invited.status_code == 201
    link = text(invited).split('id="invitation-link" value="')[1].split('"')[0]
    reset = post(client, f"/groups/{world.group.id}/members/{world.member.id}/reset-link")
    assert reset.status_code == 201
    reset_link = text(reset).split('id="reset-link" value="')[1].split('"')[0]
    for secret in (link, reset_link):
        token = secret.rsplit("/", 1)[1]
        assert len(token) > 20
        assert token not in readable_session(app, client)
        assert token not in text(client.get(f"/groups/{world.group.id}/members"))
    assert client.get(link.replace("http://localhost", "")).status_code == 200  # a real link


def test_a_name_typed_into_the_join_form_loses_invisible_characters(
    app, db, world, make_invitation, as_facilitator
):
    """Bidi overrides would let "\u202enomiS" show as "Simon" in the members list."""
    token = make_invitation()
    response = post(
        app.test_client(),
        f"/invitations/{token}",
        {
            "display_name": "\u202enomiS\u200b \u2067Parent\u2069",
            "password": "a long new password",
            "confirm": "a long new password",
        },
    )
    assert response.status_code == 302
    assert user_by_email(db, "new.person@example.org").display_name == "nomiS Parent"
    page = text(as_facilitator.get(f"/groups/{world.group.id}/members"))
    assert "nomiS Parent" in page and "\u202e" not in page and "\u2067" not in page
