"""The session cookie is sent back only when the session changed.

Why: every page with unread notifications sends a background request when it opens
(static/js/notifications.js marks those pointing at the page read). It can still be
on its way when the person submits a form on the page. If its answer carried the
session cookie as it was when the request left, it would overwrite the newer cookie
that the form's answer had just set, and the message saying what the form did (a
flash, kept in the session) would be gone from the next page: seen in the browser
journey test under load ("Sam Taylor is now in Families' questions." never shown,
though Sam was added)."""

from __future__ import annotations

import html

from tests.web.conftest import csrf, text


def _sets_session_cookie(app, response) -> bool:
    name = app.config["SESSION_COOKIE_NAME"]
    return any(h.startswith(f"{name}=") for h in response.headers.getlist("Set-Cookie"))


def test_a_request_left_over_from_before_a_form_does_not_undo_its_message(
    app, as_facilitator, world
):
    client = as_facilitator
    name = app.config["SESSION_COOKIE_NAME"]
    token = csrf(client)
    before = client.get_cookie(name).value  # what a background request left with

    saved = client.post(
        f"/subgroups/{world.subgroup.id}/edit",
        data={"csrf_token": token, f"sg{world.subgroup.id}-name": "Families' questions"},
    )
    assert saved.status_code == 302 and _sets_session_cookie(app, saved)  # the flash

    # The background request, sent with the cookie from before the form, answers now.
    late = app.test_client()
    late.set_cookie(name, before)
    seen = late.post(
        "/notifications/seen",
        data={"path": "/", "csrf_token": token},
        headers={"X-CSRFToken": token},
    )
    assert seen.status_code == 200, text(seen)
    assert not _sets_session_cookie(app, seen)  # so the browser keeps the newer cookie

    page = client.get(saved.headers["Location"])
    assert "Sub-group Families' questions saved." in html.unescape(text(page))


def test_reading_a_page_sends_no_cookie(app, as_facilitator, world):
    client = as_facilitator
    client.get(f"/groups/{world.group.id}")  # a first page may set the CSRF token
    page = client.get(f"/groups/{world.group.id}")
    assert page.status_code == 200
    assert not _sets_session_cookie(app, page)
