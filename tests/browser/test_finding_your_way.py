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


def tab_to(page, role: str, name: str, limit: int = 80):
    """Press Tab until the named link or button has focus (keyboard only)."""
    target = page.get_by_role(role, name=name, exact=True).first
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return target
    raise AssertionError(f"Tab never reached the {role} {name!r}")


TAB_PAGES = (
    ("Sessions", "Sessions of the whole group"),
    ("Review", "What changed since the last session"),
    ("Decisions", "Decisions"),
    ("Glossary", "Glossary"),
    ("Who takes part", "Who takes part"),
    ("Overview", "Northshire SEND group"),
)


@pytest.mark.parametrize("size", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_the_group_tabs_are_one_bar_with_one_kind_of_heading(team, open_session, size):  # noqa: F811
    """Keyboard only, from tab to tab: each page has the same head (the group's name,
    one h1, the same six tabs with the current one marked) and passes axe."""
    group = team["group"]
    s = open_session(width=size[0], height=size[1])
    s.sign_in("carol@example.org")
    page = s.goto(f"/groups/{group.id}")
    label = "desktop" if size[0] > 800 else "phone"
    for tab, title in TAB_PAGES:
        tab_to(page, "link", tab).press("Enter")
        expect(page.locator("h1")).to_have_count(1)
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator(".tabs__link")).to_have_text(
            [t for t, _ in TAB_PAGES[-1:] + TAB_PAGES[:-1]]
        )
        expect(page.locator(".tabs [aria-current=page]")).to_have_text(tab)
        if tab != "Overview":
            expect(page.locator("h1 + .tabs")).to_have_count(1)
            expect(page.locator(".eyebrow a").first).to_have_text(group.name)
        s.check(f"finding-{label}-tab-{tab.lower().replace(' ', '-')}")
        s.no_sideways_scroll(f"finding-{label}-tab-{tab}")


def test_the_policy_page_tools_are_compact_and_the_text_is_on_the_first_screen(
    team,  # noqa: F811
    open_session,
):
    """Issue 17: the first section's text within 1280x800, the tools one compact row
    above it, reached with the keyboard."""
    policy = team["policy"]
    s = open_session(width=1280, height=800)
    s.sign_in("carol@example.org")
    page = s.goto(f"/policies/{policy.id}")
    text = page.locator(".section-card__text").first
    box = text.bounding_box()
    assert box is not None and box["y"] + 24 < 800, box
    tools = page.get_by_role("navigation", name="This policy")
    expect(tools.get_by_role("link")).to_have_count(7)
    tools_box = tools.bounding_box()
    assert tools_box is not None and tools_box["height"] < 90, tools_box
    tab_to(page, "link", "History").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Changes to")
    s.check("finding-policy-history-by-keyboard")


def test_the_margin_has_no_empty_gap_above_its_first_discussion(team, open_session):  # noqa: F811
    """The margin meets the first sentence's discussion without an empty stretch
    inside it between its links and that discussion; each stays level with its
    sentence."""
    section = team["section"]
    s = open_session(width=1280, height=800)
    s.sign_in("carol@example.org")
    page = s.goto(f"/sections/{section.id}")
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "saved")
    slot = page.locator("[data-margin-for]").first
    sentence = page.locator("ol.sentences > li").first
    links = page.locator(".margin__links").first
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-margin-for]');"
        " const li = document.querySelector('ol.sentences > li');"
        " return Math.abs(s.getBoundingClientRect().top - li.getBoundingClientRect().top) < 4; }"
    )
    gap = slot.bounding_box()["y"] - (links.bounding_box()["y"] + links.bounding_box()["height"])
    assert gap < 40, f"{gap}px of empty margin above the first discussion"
    assert abs(slot.bounding_box()["y"] - sentence.bounding_box()["y"]) < 4
    s.check("finding-margin-level")
