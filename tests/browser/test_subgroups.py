"""The facilitator's sub-groups page in Chromium: paged, and members added through
a search with the keyboard alone (no list of everyone), checked with axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from server.web.groups import SUBGROUPS_PER_PAGE

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(make, db):
    fatima = make.user("Fatima Khan", "fatima@example.org")
    group = make.group(fatima, "Northshire SEND Co-production Group")
    people = [make.user(f"Parent {n:02d}", f"parent{n:02d}@example.org") for n in range(30)]
    ships = [make.member(group, p, "parent_carer") for p in people]
    first = make.subgroup(group, "A: Families' questions", members=ships[:2])
    for n in range(SUBGROUPS_PER_PAGE + 2):
        make.subgroup(group, f"Topic {n:02d}")
    db.commit()
    return {"group": group, "sub": first}


def test_add_a_member_through_the_search_with_the_keyboard(seeded, open_session):
    s = open_session()
    s.sign_in("fatima@example.org")
    gid, sub = seeded["group"].id, seeded["sub"]
    page = s.goto(f"/groups/{gid}/subgroups")
    expect(page.locator(".card.subgroup")).to_have_count(SUBGROUPS_PER_PAGE)
    expect(page.get_by_text("Page 1 of 2")).to_have_count(2)
    assert page.locator("select").count() == 0
    s.check("subgroups-01-page")

    search = page.get_by_label(re.compile(r"Add a member to A: Families' questions"))
    search.focus()
    page.keyboard.type("parent 1")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=re.compile("People matching"))).to_be_visible()
    s.check("subgroups-02-search")
    add = page.get_by_role("button", name="Add Parent 10 to A: Families' questions")
    add.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#subgroup-{sub.id}")).to_contain_text("Parent 10")

    phone = open_session(width=375, height=740)
    phone.sign_in("fatima@example.org")
    phone.goto(f"/subgroups/{sub.id}/members?q=parent")
    phone.no_sideways_scroll("sub-group search on a phone")
    phone.check("subgroups-03-search-phone")
    phone.goto(f"/groups/{gid}/subgroups?page=2")
    phone.no_sideways_scroll("sub-groups page 2 on a phone")
    phone.check("subgroups-04-page-2-phone")
