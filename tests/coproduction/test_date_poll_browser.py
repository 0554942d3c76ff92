"""Picking the date of the next session in Chromium: the facilitator offers dates,
a member answers by keyboard alone, the results table shows the counts and who,
and the pages pass axe at desktop and phone widths without scrolling sideways."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def group(make, db):
    fatima = make.user("Fatima Khan", "fatima@example.org")
    group = make.group(fatima, "Northshire SEND Co-production Group")
    make.member(group, make.user("Sam O'Neill", "sam@example.org"), "parent_carer")
    make.member(group, make.user("Ali Young", "ali@example.org"), "young_person")
    db.commit()
    return group


def _local(days: int, hour: int) -> str:
    when = (datetime.now() + timedelta(days=days)).replace(hour=hour, minute=0)
    return when.strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("width", [1100, 390])
def test_offer_dates_answer_by_keyboard_and_see_who(open_session, group, width):
    chair = open_session(width=width, height=900)
    chair.sign_in("fatima@example.org")
    page = chair.goto(f"/groups/{group.id}/sessions")
    page.get_by_role("link", name="Offer dates for the next session").click()
    page.get_by_label("Name of the session").fill("Spring meeting")
    page.get_by_label("Date 1").fill(_local(8, 18))
    page.get_by_label("Date 2").fill(_local(10, 10))
    chair.check(f"date-poll-new-{width}")
    chair.no_sideways_scroll("date-poll-new")
    page.get_by_role("button", name="Ask members").click()
    page.wait_for_url("**/date-polls/*")
    poll_path = page.url.removeprefix(chair.server.url)

    member = open_session(width=width, height=900)
    member.sign_in("sam@example.org")
    # Members are told, with a link to the poll (made just after the commit).
    page = member.goto("/notifications")
    told = page.locator(".row__title", has_text="Pick dates for the next session")
    for _ in range(20):
        if told.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert told.count() == 1
    page = member.goto(poll_path)
    # Keyboard alone: Tab into the first date's answers, arrow keys move the choice.
    first = page.get_by_role("group").filter(has=page.get_by_label("Yes")).first
    first.get_by_label("Yes").focus()
    page.keyboard.press("ArrowRight")  # Yes -> If need be
    page.keyboard.press("Tab")  # to the next date's answers
    page.keyboard.press("Space")  # choose its first answer, Yes
    assert first.get_by_label("If need be").is_checked()
    page.get_by_role("button", name="Save my answers").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.get_by_text("Your answers are saved").wait_for()
    rows = page.locator("table.dp-results tbody tr")
    assert rows.count() == 2
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(2)]
    assert cells[0][1].startswith("1") and "Sam O'Neill" in cells[0][1]  # if need be
    assert cells[1][0].startswith("1") and "Sam O'Neill" in cells[1][0]  # yes
    assert page.get_by_text("1 of 3 members has answered").count() == 1
    member.check(f"date-poll-answered-{width}")
    member.no_sideways_scroll("date-poll-answered")

    page = member.goto(f"/groups/{group.id}/sessions")
    page.get_by_role("link", name="Spring meeting").wait_for()
    member.check(f"date-poll-sessions-list-{width}")
    member.no_sideways_scroll("date-poll-sessions-list")

    page = chair.goto(poll_path)
    assert page.get_by_label("Date to plan the session on").input_value()
    chair.check(f"date-poll-facilitator-{width}")
    page.get_by_role("button", name="Close the poll").click()
    page.wait_for_url("**/sessions/*")
    assert page.get_by_role("heading", level=1).inner_text() == "Spring meeting"
