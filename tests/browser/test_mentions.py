"""The name picker in a comment box, by keyboard alone, and the search page, in a
real browser: both axe-clean, on a desktop and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def team(make):
    fatima = make.user("Fatima Khan", "fatima@example.org")
    group = make.group(fatima, "Northshire SEND group")
    carol = make.user("Carol Singh", "carol@example.org")
    writer = make.member(group, carol)
    for name in ("Tom O'Neill", "Tomás Ruiz", "Zoë Adams", "李雷"):
        make.member(group, make.user(name))
    outsider = make.user("Tobias Outsider")
    make.group(outsider, "Elsewhere")
    sub = make.subgroup(group, "Transport", [writer])
    policy = make.policy(group, fatima, "Travel to school")
    section = make.section(
        policy.parts[0], fatima, sub, "Pick-up", "The minibus collects every pupil by eight."
    )
    return {"group": group, "section": section}


def options(page):
    return page.get_by_role("listbox", name="Members to mention").get_by_role("option")


def comment_box(open_session, team):
    """Carol's section page, with the caret in the box for a comment on the section."""
    you = open_session()
    you.sign_in("carol@example.org")
    page = you.goto(f"/sections/{team['section'].id}")
    box = page.get_by_role("textbox", name="Comment on the whole section")
    box.focus()
    return you, page, box


def test_the_name_picker_works_by_keyboard_alone(open_session, team):
    you, page, box = comment_box(open_session, team)
    page.keyboard.type("Over to @to")
    expect(options(page)).to_have_text(["Tom O'Neill", "Tomás Ruiz"])  # not the outsider
    first = options(page).first
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", first.get_attribute("id"))
    expect(box).to_have_attribute("aria-autocomplete", "list")
    expect(page.get_by_role("status").filter(has_text="2 names")).to_have_count(1)
    you.check("mentions-picker-open")

    page.keyboard.press("ArrowDown")
    expect(options(page).nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")  # wraps to the first
    expect(options(page).first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(box).to_have_value("Over to @Tomás Ruiz ")
    expect(page.get_by_role("listbox", name="Members to mention")).to_be_hidden()
    expect(
        page.get_by_role("status").filter(has_text="Tomás Ruiz will be mentioned")
    ).to_have_count(1)

    page.keyboard.type("and @zo")
    expect(options(page)).to_have_text(["Zoë Adams"])
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox", name="Members to mention")).to_be_hidden()
    expect(box).to_have_value("Over to @Tomás Ruiz and @zo")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("李")
    expect(options(page)).to_have_text(["李雷"])
    page.keyboard.press("Tab")
    expect(box).to_have_value("Over to @Tomás Ruiz and @李雷 ")
    expect(box).to_be_focused()

    page.keyboard.type("please.")
    page.keyboard.press("Tab")  # the list is closed: Tab moves on, to the button
    page.keyboard.press("Enter")
    thread = page.locator(".comment__body").filter(has_text="please.")
    expect(thread.locator(".mention")).to_have_text(["@Tomás Ruiz", "@李雷"])
    you.check("mentions-posted")


def test_deleting_the_at_sign_keeps_the_list_closed(open_session, team):
    """Found in use: Escape, then quick Backspaces over "@To" left the lookup for "@"
    waiting, and its answer opened every name over the Post button."""
    _you, page, box = comment_box(open_session, team)
    page.keyboard.type("Over to @To")
    expect(options(page)).to_have_count(2)
    page.keyboard.press("Escape")
    expect(page.get_by_role("listbox", name="Members to mention")).to_be_hidden()
    # Whether the list opens at any moment from now (a live refresh of the comments
    # may replace it later, which would hide a list that had opened).
    page.evaluate(
        """() => {
        const list = document.querySelector('[role=listbox][aria-label="Members to mention"]');
        window.listOpened = false;
        new MutationObserver(() => { if (!list.hidden) window.listOpened = true; })
          .observe(list, { attributes: true, childList: true });
      }"""
    )
    for _ in range(3):
        page.keyboard.press("Backspace")
    expect(box).to_have_value("Over to ")
    page.wait_for_timeout(600)  # past the pause (120 ms) and a local lookup's answer
    assert page.evaluate("window.listOpened") is False


def test_the_search_page_on_a_phone(open_session, team):
    you = open_session(width=390, height=844)
    you.sign_in("carol@example.org")
    page = you.goto(f"/groups/{team['group'].id}")
    search = page.get_by_role("searchbox", name="Find words in the policies")
    search.fill("minibus")
    search.press("Enter")
    expect(page.locator("mark")).to_have_text(["minibus"])
    expect(page.get_by_role("heading", name="1 place with “minibus”")).to_be_visible()
    you.no_sideways_scroll("search-phone")
    you.check("search-phone")
    page.get_by_role("link", name="The minibus collects every pupil by eight.").click()
    expect(page).to_have_url(f"{you.server.url}/sections/{team['section'].id}#sentence-1")
