"""In a real browser against a live server: the unread count in the header changes
live when another member mentions you, and the notification pages pass axe on a
desktop and a phone."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import Session, fast_passwords  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def open_session(browser, live_server):
    opened: list[Session] = []

    def _open(**kwargs) -> Session:
        session = Session(browser, live_server, **kwargs)
        opened.append(session)
        return session

    yield _open
    for session in opened:
        session.close()


def test_the_unread_count_changes_live_when_someone_mentions_you(world, live_server, open_session):
    ann = world.members[0]
    me = open_session()
    page = me.sign_in(ann.email)
    link = page.locator("#notifications-link")
    expect(link).to_have_accessible_name("Notifications")
    page.wait_for_timeout(1000)  # let the socket connect

    reply = requests.post(
        f"{live_server.url}/api/v1/sections/{world.section.id}/comments",
        json={"body": "Could you check this, @Ann Parent?"},
        headers={"Authorization": f"Bearer {world.writer.api.token}"},
        timeout=20,
    )
    assert reply.status_code == 201, reply.text
    expect(link.locator("[data-unread-count]")).to_have_text("1", timeout=15_000)
    expect(link).to_have_accessible_name("Notifications , 1 unread")
    expect(page.locator("#notifications-live")).to_contain_text("You have 1 unread")
    me.check("notifications-header-live")

    page = me.goto("/notifications")
    expect(page.locator(".row__title", has_text="mentioned you in a comment")).to_be_visible()
    me.check("notifications-list")
    page.get_by_role("button", name="Open").first.click()
    page.wait_for_url(f"**/sections/{world.section.id}**")
    expect(page.locator("#notifications-link [data-unread-count]")).to_have_text("")

    phone = open_session(width=390, height=844)
    phone.sign_in(ann.email)
    phone.goto("/notifications/settings")
    phone.check("notifications-settings-phone")
    phone.no_sideways_scroll("notifications-settings-phone")


@pytest.mark.parametrize("width", [1100, 390])
def test_the_day_before_a_session_lists_the_votes_not_cast_as_links(
    world, live_server, open_session, app, db, width
):
    """The reminder names each open vote you have not cast, each a link to it, on
    the notifications page (axe-clean on a desktop and a phone)."""
    from datetime import UTC, datetime, timedelta

    from server import jobs
    from server.meetings.services import schedule
    from server.notifications import scheduled

    world.writer.api.ok(world.writer.api.post(f"/sections/{world.section.id}/ready"), 201)
    starts = datetime.now(UTC) + timedelta(hours=20)
    schedule(db, world.group, world.facilitator.user, title="Spring session", starts_at=starts)
    scheduled.session_soon(db, datetime.now(UTC), jobs.delivery_from(app.config))
    db.commit()

    ann = world.members[0]
    me = open_session(width=width, height=844 if width < 500 else 900)
    me.sign_in(ann.email)
    page = me.goto("/notifications")
    vote = page.get_by_role("link", name="The vote on agreeing “Personal budgets”")
    expect(vote).to_be_visible()
    me.check(f"notifications-votes-not-cast-{width}")
    me.no_sideways_scroll("notifications-votes-not-cast")
    vote.click()
    page.wait_for_url("**/votes/*")
