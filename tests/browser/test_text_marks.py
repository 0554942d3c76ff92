"""Marks inside the live text, in a real browser (issue 17): open suggestions as a
word diff in the row of the sentence they change, for a member who chose that
view; commented words highlighted in their sentence. Both stay in place while
other people's edits arrive and re-render the text, follow the server when
suggestions or words move, are reachable by keyboard, and pass axe on a desktop
and a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_review import FIRST, SECOND, THIRD, api, open_section, team  # noqa: F401

pytestmark = pytest.mark.browser

HIGHLIGHTED = """() => {
  const h = CSS.highlights.get('codraft-commented');
  return h ? Array.from(h).map((r) => r.toString()) : [];
}"""


MARKED_PAYS_IT = f"() => ({HIGHLIGHTED})().join('|') === 'pays it'"


def suggest(server, token, section_id, body):
    return api(server, "POST", f"/sections/{section_id}/proposals", token, body)


def type_at_start(page, index: int, words: str) -> None:
    box = page.locator("ol.sentences .sentence__text").nth(index)
    box.focus()
    page.keyboard.press("Home")
    page.keyboard.type(words)


def test_suggestions_show_in_their_sentence_and_stay_through_live_edits(
    team,  # noqa: F811
    open_session,
    live_server,
):
    section, tokens = team["section"], team["tokens"]
    first, second, third = api(live_server, "GET", f"/sections/{section.id}", tokens["dev"])[
        "sentences"
    ]
    assert (first["text"], second["text"], third["text"]) == (FIRST, SECOND, THIRD)
    suggest(
        live_server,
        tokens["dev"],
        section.id,
        {
            "kind": "replace",
            "sentence_ids": [second["id"]],
            "text": "The council pays it every month.",
            "reason": "Plainer",
        },
    )
    suggest(
        live_server,
        tokens["dev"],
        section.id,
        {
            "kind": "insert",
            "sentence_ids": [third["id"]],
            "text": "You can also ask the school.",
            "reason": "Another way",
        },
    )
    api(live_server, "PATCH", "/me", tokens["carol"], {"suggestions_inline": True})

    carol = open_section(open_session, "carol@example.org", section, width=1280, height=800)
    page = carol.page
    row = page.locator(f"#sentence-{second['id']}")
    change = row.locator(".tracked-change")
    expect(change).to_contain_text("Suggested wording:")
    expect(change.locator("ins")).to_contain_text("every month")
    expect(change.locator("ins .visually-hidden").first).to_have_text("[added: ")
    expect(change.locator("del")).to_contain_text("monthly")
    expect(change.get_by_role("link", name="Suggestion by Dev Patel")).to_be_visible()
    new = page.locator(f"#sentence-{third['id']} .tracked-change--new")
    expect(new).to_contain_text("New sentence suggested after this one:")
    expect(new.locator("ins")).to_contain_text("You can also ask the school.")
    # No second copy of the text any more.
    expect(page.get_by_role("heading", name="Suggestions in the text")).to_have_count(0)
    carol.check("text-marks-desktop", full_page=False)

    # Alice, in the sub-group, edits the first sentence live: Carol's text follows,
    # and the suggestion stays in the second sentence's row.
    alice = open_section(open_session, "alice@example.org", section)
    type_at_start(alice.page, 0, "Today ")
    expect(page.locator("ol.sentences .sentence__text").first).to_have_text("Today " + FIRST)
    expect(change.locator("ins")).to_contain_text("every month")
    # Even after the editor rebuilds that row (it does when rights change, say).
    page.evaluate(
        """(id) => {
          const live = window.codraftLive;
          const li = document.getElementById('sentence-' + id);
          li.classList.remove('sentence--live');
          live.render();
        }""",
        second["id"],
    )
    expect(page.locator(f"#sentence-{second['id']} .tracked-change ins")).to_contain_text(
        "every month"
    )

    # A new suggestion arrives through the `review` event, without a reload.
    suggest(
        live_server,
        tokens["fatima"],
        section.id,
        {
            "kind": "replace",
            "sentence_ids": [third["id"]],
            "text": "Ask your coordinator or the school for help.",
            "reason": "Clearer",
        },
    )
    third_change = page.locator(f"#sentence-{third['id']} .tracked-change").first
    expect(third_change).to_contain_text("Suggested wording:")
    expect(third_change.locator("ins")).to_contain_text("or the school")

    # Keyboard only: Tab reaches the link in the row, Enter opens the suggestion.
    link = row.get_by_role("link", name="Suggestion by Dev Patel")
    page.locator("h1").focus()
    for _ in range(80):
        page.keyboard.press("Tab")
        if link.evaluate("(el) => el === document.activeElement"):
            break
    expect(link).to_be_focused()

    page.set_viewport_size({"width": 390, "height": 844})
    expect(change).to_be_visible()
    row.evaluate("(el) => el.scrollIntoView({block: 'center'})")
    carol.check("text-marks-phone", full_page=False)
    carol.no_sideways_scroll("text-marks-phone")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("every month")


def test_commented_words_are_marked_and_the_mark_follows_an_edit(
    team,  # noqa: F811
    open_session,
    live_server,
):
    section, tokens = team["section"], team["tokens"]
    second = api(live_server, "GET", f"/sections/{section.id}", tokens["dev"])["sentences"][1]
    at = SECOND.index("pays it")
    api(
        live_server,
        "POST",
        f"/sections/{section.id}/comments",
        tokens["dev"],
        {
            "body": "Who pays it?",
            "sentence_id": second["id"],
            "words": {"start": at, "end": at + len("pays it")},
        },
    )

    dev = open_section(open_session, "dev@example.org", section, width=1280, height=800)
    page = dev.page
    row = page.locator(f"#sentence-{second['id']}")
    note = row.get_by_role("link", name="“pays it”: comment by Dev Patel")
    expect(note).to_be_visible()
    page.wait_for_function(MARKED_PAYS_IT)
    dev.check("text-marks-words")

    # Alice types before the words: the mark follows them (after the fresh marks).
    alice = open_section(open_session, "alice@example.org", section)
    type_at_start(alice.page, 1, "Each year ")
    moved = "Each year " + SECOND
    expect(page.locator(f"#sentence-{second['id']} .sentence__text")).to_have_text(moved)
    expect(row.locator("[data-words-start]")).to_have_attribute(
        "data-words-start", str(moved.index("pays it")), timeout=15_000
    )
    page.wait_for_function(MARKED_PAYS_IT)
    start = page.evaluate(
        """() => {
          const r = Array.from(CSS.highlights.get('codraft-commented'))[0];
          const pre = document.createRange();
          pre.setStart(r.startContainer.parentElement.closest('.sentence__text'), 0);
          pre.setEnd(r.startContainer, r.startOffset);
          return pre.toString().length;
        }"""
    )
    assert start == moved.index("pays it")
    # The writer sees the mark too, in her editable text, and typing is untouched.
    alice.page.wait_for_function(MARKED_PAYS_IT)
    expect(alice.page.locator("ol.sentences .sentence__text").nth(1)).to_have_text(moved)

    # The note's link moves focus to the comment in the margin.
    note.click()
    expect(page.locator(".thread").filter(has_text="Who pays it?")).to_be_focused()
