"""The key pages on a phone-sized screen, and signing in with the keyboard alone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(make):
    """A group with a facilitator, a parent in a sub-group, and an FAQ section."""
    fatima = make.user("Fatima Khan", "fatima@example.org")
    group = make.group(fatima, "Northshire SEND Co-production Group")
    sam = make.user("Sam Taylor-Okonkwo-Richardson", "sam.taylor.okonkwo@example.org")
    ship = make.member(group, sam, "parent_carer")
    sub = make.subgroup(group, "Families' questions", members=[ship])
    policy = make.policy(
        group,
        fatima,
        "EHCP Personal Budget policy",
        parts=("Frequently asked questions", "Administration, roles and processes"),
    )
    section = make.section(
        policy.parts[0],
        fatima,
        sub,
        "What is a Personal Budget?",
        kind="faq",
        text="A Personal Budget is an amount of money to deliver some of the provision in "
        "your child's EHCP. You can ask for one when the plan is reviewed, e.g. at the "
        "annual review.",
    )
    return {"group": group, "policy": policy, "section": section, "sub": sub, "sam": sam}


def test_key_pages_fit_a_phone(seeded, open_session):
    phone = open_session(width=375, height=740)
    phone.goto("/sign-in")
    phone.no_sideways_scroll("phone sign-in")
    phone.check("phone-01-sign-in")
    phone.sign_in("fatima@example.org")
    group, policy, section = seeded["group"], seeded["policy"], seeded["section"]
    pages = [
        ("phone-02-home", "/"),
        ("phone-03-group", f"/groups/{group.id}"),
        ("phone-04-members", f"/groups/{group.id}/members"),
        ("phone-05-subgroups", f"/groups/{group.id}/subgroups"),
        ("phone-06-policy", f"/policies/{policy.id}"),
        ("phone-07-new-section", f"/parts/{policy.parts[0].id}/sections/new"),
        ("phone-08-section", f"/sections/{section.id}"),
        ("phone-09-account", "/account"),
    ]
    for name, path in pages:
        phone.goto(path)
        phone.no_sideways_scroll(name)
        phone.check(name)
    # The narrowest common phone (WCAG reflow: 320 CSS pixels) still needs no sideways
    # scrolling.
    phone.page.set_viewport_size({"width": 320, "height": 640})
    for name, path in pages:
        phone.goto(path)
        phone.no_sideways_scroll(f"{name} at 320px")


def test_errors_are_announced_and_linked_to_fields(seeded, open_session):
    s = open_session(width=375, height=740)
    page = s.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title("Error: Sign in – Codraft")
    page.get_by_role("link", name="Enter your email address.").click()
    expect(page.get_by_label("Email address")).to_be_focused()
    s.check("phone-10-sign-in-errors")
    page.get_by_label("Email address").fill("fatima@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That email and password do not match an account.")).to_be_visible()
    s.check("phone-11-sign-in-wrong")


def test_sign_in_with_the_keyboard_alone(seeded, open_session):
    s = open_session()
    page = s.goto("/sign-in")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] >= 24  # shown when focused
    s.check("keyboard-01-skip-link", full_page=False)
    email = page.get_by_label("Email address")
    for _ in range(6):
        page.keyboard.press("Tab")
        if email.evaluate("el => el === document.activeElement"):
            break
    expect(email).to_be_focused()
    outline = email.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.type("fatima@example.org")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{s.server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your groups")
    # Reach the group and the sign-out button by keyboard too.
    link = page.get_by_role("link", name="Northshire SEND Co-production Group")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Northshire SEND Co-production Group")
    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
