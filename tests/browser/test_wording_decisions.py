"""The lighter path for small suggestions, in a real browser (issue 17): under the
"owning sub-group decides" rule a sub-group member accepts a suggestion on wording
from the keyboard alone, and a member outside the sub-group cannot; axe-clean."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.api.review_support import SUBGROUP_DECIDES_RULES as RULES
from tests.browser.test_review import api, team  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

NEW_FIRST = "You can ask for a Personal Budget at any time."


def tab_to(page, target, limit: int = 120) -> None:
    """Press Tab until `target` has focus, as someone using only a keyboard would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError("could not reach it with Tab")


def test_subgroup_member_accepts_by_keyboard_and_others_cannot(team, open_session, live_server):  # noqa: F811
    tokens, section = team["tokens"], team["section"]
    api(live_server, "PUT", f"/groups/{team['group'].id}/decision-rules", tokens["fatima"], RULES)
    first = api(live_server, "GET", f"/sections/{section.id}", tokens["carol"])["sentences"][0]
    made = api(
        live_server,
        "POST",
        f"/sections/{section.id}/proposals",
        tokens["carol"],
        {"kind": "replace", "sentence_ids": [first["id"]], "text": NEW_FIRST, "reason": "Clearer"},
    )

    dev = open_session()
    dev.sign_in("dev@example.org")
    page = dev.goto(f"/proposals/{made['id']}")
    expect(page.get_by_role("heading", name="Decide for the sub-group")).to_be_visible()
    expect(page.get_by_text("any one of its members accepts or declines it")).to_be_visible()
    expect(page.get_by_role("button", name="Accept this suggestion")).to_have_count(0)
    expect(page.get_by_role("button", name="Ask the group to vote")).to_have_count(0)
    dev.check("wording-decision-outsider")

    alice = open_session()
    alice.sign_in("alice@example.org")
    page = alice.goto(f"/proposals/{made['id']}")
    alice.check("wording-decision-subgroup")
    accept = page.get_by_role("button", name="Accept this suggestion")
    tab_to(page, accept)
    page.keyboard.press("Enter")
    expect(page.get_by_text("You accepted this suggestion.")).to_be_visible()
    expect(page.locator(".decision-record")).to_contain_text("Accepted by Alice Moreno")
    expect(page.locator(".proposal-status")).to_contain_text("Approved and now in the text")
    alice.check("wording-decision-accepted")
    now = api(live_server, "GET", f"/sections/{section.id}", tokens["dev"])["sentences"][0]
    assert now["text"] == NEW_FIRST

    # Dev cannot decide another one, even by posting the form's request himself.
    second = api(live_server, "GET", f"/sections/{section.id}", tokens["carol"])["sentences"][1]
    other = api(
        live_server,
        "POST",
        f"/sections/{section.id}/proposals",
        tokens["carol"],
        {
            "kind": "replace",
            "sentence_ids": [second["id"]],
            "text": "It is paid each month.",
            "reason": "Plainer",
        },
    )
    refused = requests.post(
        f"{live_server.url}/api/v1/proposals/{other['id']}/accept",
        headers={"Authorization": f"Bearer {tokens['dev']}"},
        timeout=10,
    )
    assert refused.status_code == 403
    status = api(live_server, "GET", f"/proposals/{other['id']}", tokens["dev"])["status"]
    assert status == "open"
