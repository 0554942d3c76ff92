"""Finding your way, in a real browser (issue 17): the section's text is on the first
screen at 1280x800; the comment box opens in place with focus in it; the group's
tabs, the Decisions tab, the policy page's counts, the track-changes view and the
account page pass axe on a desktop and a phone."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.test_review import FIRST, SECOND, api, team  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_text_is_on_the_first_screen_and_comment_boxes_open_in_place(
    team,  # noqa: F811
    open_session,
    live_server,
):
    section = team["section"]
    for email in ("alice@example.org", "carol@example.org"):  # the sub-group, a reader
        s = open_session(width=1280, height=800)
        s.sign_in(email)
        page = s.goto(f"/sections/{section.id}")
        expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "saved")
        first = page.locator("ol.sentences > li").first
        box = first.bounding_box()
        assert box is not None and box["y"] + min(box["height"], 60) < 800, (email, box)

    page = s.page  # Carol: comment on the second sentence in place, keyboard only
    summary = page.locator("details.comment-box > summary").nth(1)
    summary.focus()
    page.keyboard.press("Enter")
    field = page.get_by_label(f"Your comment on “{SECOND}”")
    expect(field).to_be_focused()
    page.keyboard.type("Monthly, or every four weeks?")
    s.check("finding-comment-in-place")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Post comment
    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    expect(page.locator(".thread").first).to_contain_text("Monthly, or every four weeks?")


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_the_pages_that_help_you_find_your_way_pass_axe(team, open_session, live_server, size):  # noqa: F811
    group, policy, section = team["group"], team["policy"], team["section"]
    tokens = team["tokens"]
    first = api(live_server, "GET", f"/sections/{section.id}", tokens["dev"])["sentences"][0]
    api(
        live_server,
        "POST",
        f"/sections/{section.id}/proposals",
        tokens["dev"],
        {
            "kind": "replace",
            "sentence_ids": [first["id"]],
            "text": FIRST.replace("ask", "apply"),
            "reason": "Plainer",
        },
    )
    requests.patch(
        f"{live_server.url}/api/v1/me",
        json={"suggestions_inline": True},
        headers={"Authorization": f"Bearer {tokens['carol']}"},
        timeout=10,
    ).raise_for_status()
    s = open_session(width=size[0], height=size[1])
    s.sign_in("carol@example.org")
    label = "desktop" if size[0] > 800 else "phone"
    for name, path in (
        ("group", f"/groups/{group.id}"),
        ("decisions", f"/groups/{group.id}/decisions"),
        ("policy", f"/policies/{policy.id}"),
        ("section-tracked", f"/sections/{section.id}"),
        ("account", "/account"),
    ):
        page = s.goto(path)
        if name == "group":
            expect(page.get_by_role("heading", name="Where to start")).to_be_visible()
            expect(page.locator(".tabs [aria-current=page]")).to_have_text("Overview")
        if name == "section-tracked":
            row = page.locator(f"#sentence-{first['id']}")
            expect(row.locator(".tracked-change")).to_contain_text("Suggested wording:")
        s.check(f"finding-{label}-{name}")
        s.no_sideways_scroll(f"finding-{label}-{name}")
