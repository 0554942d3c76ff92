"""Signing in and out, sessions and cookies, password reset links, the account page."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.accounts.models import ApiToken
from server.accounts.services import SIGN_IN_FAILED, api_token_user, create_password_reset
from server.db import utcnow
from tests.conftest import PASSWORD, sign_in
from tests.web.conftest import csrf, post, readable_session, text


def test_signed_out_home_goes_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/sign-in")


def test_sign_in_page_is_accessible_markup(client):
    page = text(client.get("/sign-in"))
    assert 'href="#main"' in page and 'id="main"' in page
    assert '<label class="label" for="email">' in page
    assert 'autocomplete="current-password"' in page
    assert page.count("<h1>") == 1


def test_sign_in_then_home(client, make):
    user = make.user("Asha", "asha@example.org")
    response = sign_in(client, user.email)
    assert response.status_code == 302
    page = text(client.get("/", follow_redirects=True))
    assert "You are signed in as Asha." in page
    assert "Your groups" in page


def test_wrong_password_and_unknown_email_get_the_same_message(client, make):
    make.user("Asha", "asha@example.org")
    wrong = sign_in(client, "asha@example.org", "not the password at all")
    unknown = sign_in(client, "nobody@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert SIGN_IN_FAILED in text(response)
    strip = [
        text(r).replace("asha@example.org", "X").replace("nobody@example.org", "X")
        for r in (wrong, unknown)
    ]
    assert (
        strip[0].split("<main")[1].split('name="csrf_token"')[0]
        == strip[1].split("<main")[1].split('name="csrf_token"')[0]
    )


def test_empty_sign_in_form_says_what_is_missing(client):
    response = post(client, "/sign-in", {"email": "", "password": ""})
    assert response.status_code == 422
    page = text(response)
    assert "Enter your email address." in page and "Enter your password." in page
    assert 'aria-describedby="email-error"' in page
    assert "<title>Error: Sign in" in page


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/account", "/account"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("/\t/evil.example", "/"),
    ],
)
def test_sign_in_goes_only_to_same_site_next(client, make, target, expected):
    make.user("Asha", "asha@example.org")
    response = client.post(
        "/sign-in",
        data={
            "email": "asha@example.org",
            "password": PASSWORD,
            "next": target,
            "csrf_token": csrf(client),
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_pages_need_sign_in_and_come_back(client, world):
    response = client.get(f"/groups/{world.group.id}")
    assert response.status_code == 302
    assert "/sign-in?next=" in response.headers["Location"]
    page = text(client.get(response.headers["Location"]))
    assert f'name="next" value="/groups/{world.group.id}"' in page


def test_session_cookie_is_httponly_and_samesite_lax(client, make):
    user = make.user()
    response = sign_in(client, user.email)
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("codraft_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_sign_out_ends_the_session_even_for_a_kept_cookie(app, make):
    user = make.user()
    client = app.test_client()
    sign_in(client, user.email)
    kept = client.get_cookie("codraft_session").value
    assert client.get("/account").status_code == 200
    response = post(client, "/sign-out")
    assert response.status_code == 302
    assert "You have signed out." in text(client.get("/sign-in"))
    thief = app.test_client()
    thief.set_cookie("codraft_session", kept)
    assert thief.get("/account").status_code == 302  # back to sign-in: the row is revoked


def test_post_without_csrf_token_is_refused(client, make):
    user = make.user()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "The form expired" in text(response)


def test_pages_send_a_content_security_policy(client, as_member, world):
    for url in ("/sign-in", "/", f"/groups/{world.group.id}", "/account", "/no-such-page"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp


def test_pages_have_no_inline_script_or_style(as_facilitator, world):
    for url in (
        "/",
        f"/groups/{world.group.id}",
        f"/groups/{world.group.id}/members",
        f"/policies/{world.policy.id}",
        f"/sections/{world.section.id}",
    ):
        page = text(as_facilitator.get(url))
        assert "<script>" not in page and "<style" not in page and " style=" not in page
        assert " onclick=" not in page


# --- password reset ---------------------------------------------------------------------


def _reset_token(db, user, by, *, expired=False):
    token, row = create_password_reset(db, user, by, timedelta(hours=1))
    if expired:
        row.expires_at = utcnow() - timedelta(minutes=1)
    db.commit()
    return token


def test_password_reset_sets_password_and_signs_in(app, db, client, make):
    user = make.user("Joy", "joy@example.org")
    token = _reset_token(db, user, make.user())
    page = text(client.get(f"/reset/{token}"))
    assert "Choose a new password" in page and "joy@example.org" in page
    response = post(
        client,
        f"/reset/{token}",
        {"password": "a brand new secret", "confirm": "a brand new secret"},
    )
    assert response.status_code == 302
    assert "Your new password is saved" in text(client.get("/"))
    other = app.test_client()
    assert sign_in(other, "joy@example.org", "a brand new secret").status_code == 302
    assert sign_in(app.test_client(), "joy@example.org", PASSWORD).status_code == 401
    again = client.get(f"/reset/{token}")
    assert again.status_code == 410
    assert "Ask a facilitator for a new one" in text(again)


def test_password_reset_checks_the_new_password(app, db, client, make):
    user = make.user()
    token = _reset_token(db, user, make.user())
    short = post(client, f"/reset/{token}", {"password": "short", "confirm": "short"})
    assert short.status_code == 422
    assert "at least 10 characters" in text(short)
    differ = post(
        client, f"/reset/{token}", {"password": "long enough one", "confirm": "long enough two"}
    )
    assert differ.status_code == 422
    assert "The two passwords are different" in text(differ)


def test_expired_and_unknown_reset_links(app, db, client, make):
    token = _reset_token(db, make.user(), make.user(), expired=True)
    assert client.get(f"/reset/{token}").status_code == 410
    unknown = client.get("/reset/not-a-real-token")
    assert unknown.status_code == 404
    assert "This password reset link cannot be used" in text(unknown)


# --- account and API tokens -------------------------------------------------------------


def test_account_page_makes_a_token_shown_once_and_revokes_it(client, db, make):
    user = make.user("Asha", "asha@example.org")
    sign_in(client, user.email)
    page = text(client.get("/account"))
    assert "Asha" in page and "asha@example.org" in page
    response = post(client, "/account/tokens", {"name": "export script"})
    assert response.status_code == 201  # shown in the reply to the POST, nowhere else
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    assert "export script" in page
    assert 'id="token-value" value="cdt_' in page
    token = page.split('id="token-value" value="')[1].split('"')[0]
    assert api_token_user(db, token) is not None  # a real, working token
    assert token not in text(client.get("/account"))  # shown once
    row = db.query(ApiToken).filter_by(user_id=user.id).one()
    assert post(client, f"/account/tokens/{row.id}/revoke").status_code == 302
    db.expire_all()
    assert db.get(ApiToken, row.id).revoked_at is not None


def test_token_name_is_required(client, make):
    sign_in(client, make.user().email)
    response = post(client, "/account/tokens", {"name": "  "})
    assert response.status_code == 422
    assert "Give the token a name." in text(response)


def test_cannot_revoke_someone_elses_token(client, db, make):
    owner = make.user()
    make.token(owner)
    row = db.query(ApiToken).filter_by(user_id=owner.id).one()
    sign_in(client, make.user().email)
    assert post(client, f"/account/tokens/{row.id}/revoke").status_code == 404


def test_a_password_reset_through_the_page_ends_api_tokens(app, db, client, make):
    user = make.user("Joy", "joy@example.org")
    token_before = make.token(user)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token_before}"}
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    reset = _reset_token(db, user, make.user())
    new = {"password": "a brand new secret", "confirm": "a brand new secret"}
    assert post(client, f"/reset/{reset}", new).status_code == 302
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    db.expire_all()
    assert db.query(ApiToken).filter_by(user_id=user.id, revoked_at=None).count() == 0


def test_a_new_api_token_never_goes_into_the_session_cookie(app, client, make):
    """The cookie is signed, not encrypted: whoever holds it can read it."""
    sign_in(client, make.user("Asha", "asha@example.org").email)
    response = post(client, "/account/tokens", {"name": "export script"})
    token = text(response).split('id="token-value" value="')[1].split('"')[0]
    assert token.startswith("cdt_")
    assert token not in readable_session(app, client)
    assert token not in text(client.get("/account"))


def test_guessed_sign_in_addresses_lead_to_it(client):
    assert client.get("/login").headers["Location"] == "/sign-in"
    reply = client.get("/signin?next=/groups/1")
    assert reply.status_code == 302 and reply.headers["Location"] == "/sign-in?next=/groups/1"
    assert client.get("/login?next=https://elsewhere.example/").headers["Location"] == "/sign-in"
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon.headers["Location"].endswith("/favicon.svg")


def test_the_account_page_changes_your_name(client, db, make):
    user = make.user("Asha", "asha@example.org")
    sign_in(client, user.email)
    reply = post(client, "/account/name", {"name": "  Asha\u200b  Begum "})
    assert reply.status_code == 302
    assert "Your name is now Asha Begum." in text(client.get("/account"))
    refused = post(client, "/account/name", {"name": " \u200b "})
    assert refused.status_code == 422 and "Enter a name." in text(refused)
    db.expire_all()
    assert db.get(type(user), user.id).display_name == "Asha Begum"


def test_the_account_page_changes_your_password_and_signs_out_elsewhere(app, db, client, make):
    user = make.user("Joy", "joy@example.org")
    token = make.token(user)
    elsewhere = app.test_client()
    sign_in(elsewhere, user.email)
    sign_in(client, user.email)
    new = "a brand new secret"

    wrong = post(
        client, "/account/password", {"current_password": "nope", "password": new, "confirm": new}
    )
    assert wrong.status_code == 422 and "Your current password is not right." in text(wrong)
    short = {"current_password": PASSWORD, "password": "short", "confirm": "short"}
    assert post(client, "/account/password", short).status_code == 422
    assert elsewhere.get("/account").status_code == 200  # nothing changed yet

    done = {"current_password": PASSWORD, "password": new, "confirm": new}
    assert post(client, "/account/password", done).status_code == 302
    page = client.get("/account")  # this browser stays signed in
    assert page.status_code == 200 and "Your password is changed." in text(page)
    assert elsewhere.get("/account").status_code == 302  # the other one is signed out
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    fresh = app.test_client()
    assert post(fresh, "/sign-in", {"email": user.email, "password": PASSWORD}).status_code == 401
    assert post(fresh, "/sign-in", {"email": user.email, "password": new}).status_code == 302
