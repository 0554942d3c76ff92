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
