"""Comments on words in a real browser (issue 17): select words in a sentence,
comment on them; the comment stays on those words after an edit before them, and
says so when they are deleted. Axe-clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_review import FIRST, SECOND, THIRD, api, team  # noqa: F401

pytestmark = pytest.mark.browser


def select_words(page, sentence_id: int, words: str) -> None:
    """Select `words` inside the sentence, as a drag with the mouse would."""
    page.evaluate(
        """([id, words]) => {
          const li = document.querySelector(`[data-sentence-id="${id}"]`);
          const text = li.querySelector('.sentence__text') || li;
          const walker = document.createTreeWalker(text, NodeFilter.SHOW_TEXT);
          let node;
          while ((node = walker.nextNode())) {
            const at = node.data.indexOf(words);
            if (at >= 0) {
              const range = document.createRange();
              range.setStart(node, at);
              range.setEnd(node, at + words.length);
              const sel = window.getSelection();
              sel.removeAllRanges();
              sel.addRange(range);
              return;
            }
          }
          throw new Error('words not found');
        }""",
        [sentence_id, words],
    )


def test_a_word_comment_follows_an_edit_and_is_flagged_when_its_words_go(
    team,  # noqa: F811
    open_session,
    live_server,
):
    section, tokens = team["section"], team["tokens"]
    sentences = api(live_server, "GET", f"/sections/{section.id}", tokens["dev"])["sentences"]
    second = sentences[1]
    assert second["text"] == SECOND

    dev = open_session()
    dev.sign_in("dev@example.org")
    page = dev.goto(f"/sections/{section.id}")
    select_words(page, second["id"], "pays it")
    offer = page.get_by_role("button", name="Comment on these words: “pays it”")
    expect(offer).to_be_visible()
    offer.click()
    box = page.get_by_label("Your comment on the words “pays it”")
    expect(box).to_be_focused()
    dev.check("word-comment-form")
    box.fill("Who pays it: the council or the school?")
    page.get_by_role("button", name="Post comment").first.click()
    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    quote = page.locator(".thread__quote--words")
    expect(quote).to_contain_text("On the words “pays it”")

    # Alice (the sub-group) types before the words in her editor, then removes them.
    alice = open_session()
    alice.sign_in("alice@example.org")
    writer = alice.goto(f"/sections/{section.id}")
    saved = writer.locator("[data-live-status]")
    expect(saved).to_have_attribute("data-state", "saved")
    writer.locator("ol.sentences .sentence__text").nth(1).focus()
    writer.keyboard.press("Home")
    writer.keyboard.type("Each year ")
    moved = "Each year The council pays it monthly."
    expect(writer.locator("ol.sentences .sentence__text").nth(1)).to_have_text(moved)
    expect(saved).to_have_attribute("data-state", "saved")
    page.reload()
    expect(page.locator(".thread__quote--words")).to_contain_text("On the words “pays it”")
    comment = api(live_server, "GET", f"/sections/{section.id}/comments", tokens["dev"])[0]
    assert comment["words"]["now"] == "pays it"
    assert comment["words"]["start"] == moved.index("pays it")

    select_words(writer, second["id"], "pays it ")
    writer.keyboard.press("Backspace")
    expect(writer.locator("ol.sentences .sentence__text").nth(1)).to_have_text(
        "Each year The council monthly."
    )
    expect(saved).to_have_attribute("data-state", "saved")
    page.reload()
    flag = page.locator("[data-words-gone]")
    expect(flag).to_contain_text("The words this comment was about were removed")
    expect(flag.locator("del")).to_have_text("pays it")
    dev.check("word-comment-gone")
    assert {FIRST, THIRD}  # the other sentences were never touched


def test_words_are_commented_on_by_keyboard_alone(
    team,  # noqa: F811
    open_session,
    live_server,
):
    """Outside the sub-group the sentences cannot be edited, so the keyboard cannot
    select their words: the comment box takes them typed instead."""
    section, tokens = team["section"], team["tokens"]
    second = api(live_server, "GET", f"/sections/{section.id}", tokens["dev"])["sentences"][1]
    dev = open_session()
    dev.sign_in("dev@example.org")
    page = dev.goto(f"/sections/{section.id}")
    opener = page.get_by_text(f"Comment on “{SECOND}”", exact=True)
    opener.focus()
    page.keyboard.press("Enter")
    box = page.get_by_label(f"Your comment on “{SECOND}”")
    expect(box).to_be_focused()
    page.keyboard.type("Monthly on which day?")
    page.keyboard.press("Tab")
    expect(page.locator(f"#comment-{second['id']}-words")).to_be_focused()
    page.keyboard.type("Pays it")
    dev.check("word-comment-typed")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your comment is posted.")).to_be_visible()
    expect(page.locator(".thread__quote--words")).to_contain_text("On the words “pays it”")
    comment = api(live_server, "GET", f"/sections/{section.id}/comments", tokens["dev"])[0]
    assert comment["words"]["now"] == "pays it" and comment["sentence_id"] == second["id"]
