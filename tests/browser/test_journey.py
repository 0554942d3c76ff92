"""The "Done when" journey in a real browser, checked for accessibility on every
page: a facilitator invites someone, they join, get a sub-group, and a pasted
paragraph becomes the right sentences."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PARAGRAPH = (
    "You can ask for a Personal Budget, e.g. for transport to school. "
    "Mr. Patel asked for 1.5 hours of speech therapy a week. "
    "It is written into your EHCP. Ask the SEND team if you are not sure."
)
EXPECTED = [
    "You can ask for a Personal Budget, e.g. for transport to school.",
    "Mr. Patel asked for 1.5 hours of speech therapy a week.",
    "It is written into your EHCP.",
    "Ask the SEND team if you are not sure.",
]


def test_invite_join_subgroup_policy_and_section(make, open_session):
    fatima = make.user("Fatima Khan", "fatima@example.org")
    make.group(fatima, "Northshire SEND group")

    # The facilitator signs in and invites a parent.
    f = open_session()
    f.goto("/sign-in")
    f.check("01-sign-in")
    page = f.sign_in("fatima@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your groups")
    f.check("02-home")
    page.get_by_role("link", name="Northshire SEND group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northshire SEND group")
    f.check("03-group")
    page.get_by_role("link", name="Members and invitations").click()
    f.check("04-members")
    page.get_by_label("Their email address").fill("sam@example.org")
    page.get_by_label("Parent or carer").check()
    page.get_by_label("Their name (optional)").fill("Sam")
    page.get_by_role("button", name="Make an invitation link").click()
    link_box = page.get_by_label("Invitation link", exact=True)
    expect(page.locator("#new-link")).to_be_focused()
    link = link_box.input_value()
    assert re.fullmatch(rf"{f.server.url}/invitations/[\w-]+", link)
    f.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=f.server.url)
    page.get_by_role("button", name="Copy invitation link").click()
    expect(page.get_by_text("Copied. You can paste it now.")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == link
    f.check("05-invitation-link")

    # Sam opens the link in another browser and makes an account.
    s = open_session()
    sam = s.goto(link)
    expect(sam.get_by_role("heading", level=1)).to_have_text("Join Northshire SEND group")
    expect(sam.get_by_label("Your name")).to_have_value("Sam")
    s.check("06-invitation")
    sam.get_by_label("Your name").fill("Sam Taylor")
    sam.get_by_label("Password", exact=True).fill("a long new password")
    sam.get_by_label("Type the password again").fill("a long new password")
    sam.get_by_role("button", name="Make my account and join").click()
    expect(sam.get_by_text("Welcome to Northshire SEND group")).to_be_visible()
    expect(sam.get_by_role("heading", level=1)).to_have_text("Northshire SEND group")
    s.check("07-joined")

    # The facilitator makes a sub-group and puts Sam in it.
    page.get_by_role("link", name="Sub-groups").first.click()
    page.get_by_label("Name", exact=True).fill("Families' questions")
    page.get_by_role("button", name="Make the sub-group").click()
    expect(page.get_by_text("Sub-group Families' questions created.")).to_be_visible()
    page.get_by_label(re.compile("Add a member to Families' questions")).fill("Sam")
    page.get_by_role("button", name="Find members to add to Families' questions").click()
    page.get_by_role("button", name="Add Sam Taylor to Families' questions").click()
    expect(page.get_by_text("Sam Taylor is now in Families' questions.")).to_be_visible()
    f.check("08-subgroups")

    # The facilitator starts a policy and pastes a section.
    page.get_by_role("link", name="New policy").click()
    expect(page.get_by_label("Parts, one per line")).to_have_value(
        "Frequently asked questions\nAdministration, roles and processes"
    )
    f.check("09-new-policy")
    page.get_by_label("Title of the policy").fill("EHCP Personal Budget policy")
    page.get_by_label("Summary (optional)").fill("How Personal Budgets work, for families.")
    page.get_by_role("button", name="Start the policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("EHCP Personal Budget policy")
    f.check("10-policy")
    page.get_by_role("link", name="Add a section to Administration, roles and processes").click()
    f.check("11-new-section")
    page.get_by_label("Text", exact=True).check()
    page.get_by_label("Title or question").fill("Asking for a Personal Budget")
    page.get_by_label("Which sub-group writes it?").select_option(label="Families' questions")
    page.get_by_label("Paste the text; it will be split into sentences").fill(PARAGRAPH)
    page.get_by_role("button", name="Add the section").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Asking for a Personal Budget")
    # The sentences' own text: hints for them may arrive live inside each row.
    sentences = page.locator("ol.sentences > li .sentence__text")
    expect(sentences).to_have_text(EXPECTED)
    expect(page.get_by_text("You can read this section.")).to_be_visible()  # not her sub-group
    f.check("12-section")

    # Sam, in the owning sub-group, can add to it.
    sam.goto(page.url)
    expect(sam.locator("ol.sentences > li .sentence__text")).to_have_text(EXPECTED)
    expect(sam.get_by_role("heading", name="Add text at the end")).to_be_visible()
    s.check("13-section-owner")
    ids = sam.locator("ol.sentences > li").evaluate_all(
        "items => items.map(li => [li.id, li.dataset.sentenceId, li.dataset.version])"
    )
    assert all(i == f"sentence-{sid}" and v == "1" for i, sid, v in ids)
