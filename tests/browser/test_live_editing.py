"""The section page as a live editor, in real browsers against a real server: two
members of the owning sub-group typing at once, a watcher outside it, splitting and
joining sentences from the keyboard, presence, going offline, a refused edit, and
accessibility of the live page on a desktop and a phone."""

from __future__ import annotations

import time

import pytest
import requests
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FIRST = "You can ask for a Personal Budget."
SECOND = "We answer within four weeks."
THIRD = "You can appeal."


@pytest.fixture
def world(make):
    """Alice and Bob write the section (its sub-group); Carol is in the group only."""
    fatima = make.user("Fatima Khan", "fatima@example.org")
    group = make.group(fatima, "Northshire SEND group")
    alice = make.user("Alice Moreno", "alice@example.org")
    bob = make.user("Bob Okafor", "bob@example.org")
    carol = make.user("Carol Singh", "carol@example.org")
    writers = [make.member(group, alice), make.member(group, bob, "education")]
    make.member(group, carol, "health")
    sub = make.subgroup(group, "Families' questions", writers)
    policy = make.policy(group, fatima, "EHCP Personal Budget policy")
    section = make.section(
        policy.parts[0], fatima, sub, "Asking for a budget", f"{FIRST} {SECOND} {THIRD}"
    )
    return {
        "section": section,
        "token": make.token(carol),
        "sub": sub,
        "bob": bob,
        "facilitator_token": make.token(fatima),
    }


@pytest.fixture
def editor(open_session, world):
    """Open the section page signed in as someone, once the live editor has joined."""

    def _open(email: str, **kwargs):
        session = open_session(**kwargs)
        session.sign_in(email)
        session.goto(f"/sections/{world['section'].id}")
        expect(session.page.locator("[data-live-status]")).to_have_attribute("data-state", "saved")
        return session

    return _open


def texts(page) -> list[str]:
    return page.locator("ol.sentences > li .sentence__text").all_text_contents()


def stored(server, world) -> list[str]:
    """What the database holds, read through the API as the watcher."""
    reply = requests.get(
        f"{server.url}/api/v1/sections/{world['section'].id}",
        headers={"Authorization": f"Bearer {world['token']}"},
        timeout=10,
    )
    return [s["text"] for s in reply.json()["sentences"]]


def settled(page) -> bool:
    return page.evaluate(
        "() => { const live = window.codraftLive; return Boolean(live && live.model && "
        "live.joined && live.model.isSettled() && !live.model.needsResync() && "
        "live.intents.length === 0); }"
    )


def wait_until(predicate, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    assert predicate(), f"timed out waiting for {what}"


def converge(*pages, timeout: float = 10.0) -> list[str]:
    """Wait until every page has saved everything and all show the same text."""

    def same():
        if not all(settled(p) for p in pages):
            return False
        first = texts(pages[0])
        return all(texts(p) == first for p in pages[1:])

    wait_until(same, timeout, "the pages to settle on the same text")
    return texts(pages[0])


def put_caret(page, index: int, offset: int) -> None:
    """Focus sentence `index` (0-based) and put the caret `offset` characters in."""
    page.locator("ol.sentences .sentence__text").nth(index).focus()
    page.evaluate(
        "([i, o]) => { const el = document.querySelectorAll('ol.sentences .sentence__text')[i];"
        " const r = document.createRange(); r.setStart(el.firstChild || el, o); r.collapse(true);"
        " const s = getSelection(); s.removeAllRanges(); s.addRange(r); }",
        [index, offset],
    )


def test_an_empty_sentence_left_without_typing_goes_again(world, editor, live_server):
    """Enter at the end of a sentence starts an empty one. Left without a word typed,
    it is removed again for everyone, said aloud, with no Undo to offer: an empty
    numbered sentence in everyone's text helps nobody. One that another editor has
    gone into stays."""
    alice, bob = editor("alice@example.org"), editor("bob@example.org")
    a, b = alice.page, bob.page
    start = converge(a, b)
    with_empty = start[:2] + [""] + start[2:]

    def becomes(expected):
        wait_until(lambda: converge(a, b) == expected, 10, f"the text to be {expected}")

    put_caret(a, 1, len(start[1]))
    a.keyboard.press("Enter")
    becomes(with_empty)
    expect(a.get_by_role("textbox", name="Sentence 3 of 4")).to_be_focused()
    a.keyboard.press("ArrowUp")
    becomes(start)
    expect(a.get_by_role("textbox", name=f"Sentence 2 of {len(start)}")).to_be_focused()
    expect(a.locator("[data-live-announce]")).to_have_text("Empty sentence 3 removed.")
    expect(a.get_by_role("button", name="Undo", exact=True)).to_have_count(0)
    assert stored(live_server, world) == start

    # Bob goes into the new empty sentence: Alice leaving it does not take it away.
    a.keyboard.press("End")
    a.keyboard.press("Enter")
    becomes(with_empty)
    b.get_by_role("textbox", name="Sentence 3 of 4").click()
    expect(a.locator("ol.sentences > li").nth(2).locator(".sentence__who")).to_be_visible()
    a.keyboard.press("ArrowUp")
    a.wait_for_timeout(1000)  # three times as long as the editor waits before removing
    assert converge(a, b) == with_empty
    b.keyboard.type("Ask us.")
    becomes(start[:2] + ["Ask us."] + start[2:])
    assert alice.problems == [] and bob.problems == []

    # "Add a sentence at the end", then away by a link: gone too, for those who stay.
    a.get_by_role("button", name="Add a sentence at the end").click()
    expect(
        a.get_by_role("textbox", name=f"Sentence {len(start) + 2} of {len(start) + 2}")
    ).to_be_focused()
    wait_until(lambda: len(texts(b)) == len(start) + 2, 10, "the new sentence on Bob's page")
    a.locator(".breadcrumbs a").first.click()
    wait_until(lambda: len(texts(b)) == len(start) + 1, 10, "the empty sentence to go")
    assert stored(live_server, world) == start[:2] + ["Ask us."] + start[2:]


def test_keys_never_land_in_another_sentence_when_yours_is_deleted(world, editor, live_server):
    """Bob deletes the sentence Alice is typing in. Her next keys go nowhere (they
    went on into the sentence before, joined to its words); the text stays as Bob
    left it, for both."""
    alice, bob = editor("alice@example.org"), editor("bob@example.org")
    a, b = alice.page, bob.page
    put_caret(a, 1, len(SECOND))
    a.keyboard.type(" zz")
    assert converge(a, b) == [FIRST, SECOND + " zz", THIRD]
    put_caret(b, 1, 0)
    b.keyboard.press("Tab")
    expect(b.get_by_role("button", name="Actions for sentence 2")).to_be_focused()
    b.keyboard.press("Enter")
    b.get_by_role("button", name="Delete").click()
    b.get_by_role("button", name="Yes, delete it").click()
    wait_until(lambda: texts(a) == [FIRST, THIRD], 10, "the sentence to go on Alice's page")
    # Said by name: the op carries whose change it is (`by`), not "someone".
    expect(a.locator("[data-live-announce]")).to_have_text(
        "Bob Okafor deleted the sentence you were in. Choose where to go on."
    )
    a.keyboard.type("more")
    assert converge(a, b) == [FIRST, THIRD]
    assert stored(live_server, world) == [FIRST, THIRD]
    expect(a.locator("ol.sentences")).to_be_focused()


def test_two_writers_type_at_once_and_a_watcher_follows(world, editor, live_server):
    alice, bob, carol = (editor(f"{name}@example.org") for name in ("alice", "bob", "carol"))
    a, b, c = alice.page, bob.page, carol.page
    # Each sentence is a labelled text box for writers; the watcher gets plain text.
    expect(a.get_by_role("textbox", name="Sentence 1 of 3")).to_have_text(FIRST)
    assert c.locator("[contenteditable]").count() == 0
    expect(c.get_by_text("You can read this section.")).to_be_visible()

    put_caret(a, 0, len(FIRST))  # Alice types at the end of the first sentence,
    put_caret(b, 0, 0)  # Bob at its start, both at once, without waiting for each other.
    for i in range(4):
        a.keyboard.type(f" alpha{i}")
        b.keyboard.type(f"beta{i} ")
    expected = "beta0 beta1 beta2 beta3 " + FIRST + " alpha0 alpha1 alpha2 alpha3"
    assert converge(a, b) == [expected, SECOND, THIRD]
    wait_until(lambda: texts(c) == [expected, SECOND, THIRD], what="the watcher to catch up")
    assert stored(live_server, world) == [expected, SECOND, THIRD]
    # Both carets stayed where their owners were typing.
    a.keyboard.type("!")
    b.keyboard.type("Now ")
    assert (
        converge(a, b, c)[0]
        == "beta0 beta1 beta2 beta3 Now " + FIRST + " alpha0 alpha1 alpha2 alpha3!"
    )
    # The watcher cannot type into the text, and the page says all is live.
    c.locator("ol.sentences li").first.click()
    c.keyboard.type("sneaky")
    assert "sneaky" not in " ".join(texts(c))
    for session in (alice, bob, carol):
        assert session.problems == []


def test_split_with_enter_and_join_with_backspace(world, editor, live_server):
    alice, bob = editor("alice@example.org"), editor("bob@example.org")
    a, b = alice.page, bob.page

    # Enter in the middle of sentence 2 cuts it there; typing straight on goes into
    # the new sentence, even before the server has answered.
    put_caret(a, 1, len("We answer "))
    a.keyboard.press("Enter")
    a.keyboard.type("soon, ")
    assert converge(a, b) == [FIRST, "We answer ", "soon, within four weeks.", THIRD]
    expect(a.get_by_role("textbox", name="Sentence 3 of 4")).to_be_focused()
    expect(b.get_by_role("textbox", name="Sentence 3 of 4")).to_have_text(
        "soon, within four weeks."
    )

    # Enter just after a full stop: the space before the next sentence stays behind,
    # not at the start of the new one (hidden there on others' pages).
    put_caret(a, 0, len(FIRST))
    a.keyboard.type(" Ask us.")
    put_caret(a, 0, len(FIRST))
    a.keyboard.press("Enter")
    assert converge(a, b)[:2] == [FIRST + " ", "Ask us."]
    a.keyboard.press("Backspace")
    assert converge(a, b)[0] == FIRST + " Ask us."
    put_caret(a, 0, len(FIRST))
    for _ in " Ask us.":
        a.keyboard.press("Delete")
    assert converge(a, b)[0] == FIRST
    put_caret(a, 2, len("soon, "))
    a.keyboard.press("Home")

    # Backspace at its start joins it back to the sentence before, with no second
    # space (the first half kept the one before the cut).
    a.keyboard.press("Home")
    a.keyboard.press("Backspace")
    assert converge(a, b) == [FIRST, "We answer soon, within four weeks.", THIRD]
    expect(a.get_by_role("textbox", name="Sentence 2 of 3")).to_be_focused()
    # The caret is at the join: typing there lands between the two halves.
    a.keyboard.type("very ")
    assert converge(a, b)[1] == "We answer very soon, within four weeks."
    for _ in "very ":
        a.keyboard.press("Backspace")
    assert converge(a, b)[1] == "We answer soon, within four weeks."

    # Enter at the end adds a sentence after; arrows move between sentences.
    a.keyboard.press("End")
    a.keyboard.press("Enter")
    a.keyboard.type("Ask us if you are not sure.")
    assert converge(a, b) == [
        FIRST,
        "We answer soon, within four weeks.",
        "Ask us if you are not sure.",
        THIRD,
    ]
    a.keyboard.press("ArrowDown")
    expect(a.get_by_role("textbox", name="Sentence 4 of 4")).to_be_focused()
    a.keyboard.press("ArrowUp")
    a.keyboard.press("ArrowUp")
    expect(a.get_by_role("textbox", name="Sentence 2 of 4")).to_be_focused()

    # Alt+Down moves a sentence; the Actions button deletes one, with an undo.
    a.keyboard.press("Alt+ArrowDown")
    assert converge(a, b) == [
        FIRST,
        "Ask us if you are not sure.",
        "We answer soon, within four weeks.",
        THIRD,
    ]
    expect(a.get_by_role("textbox", name="Sentence 3 of 4")).to_be_focused()
    a.keyboard.press("Tab")
    expect(a.get_by_role("button", name="Actions for sentence 3")).to_be_focused()
    a.keyboard.press("Enter")
    a.get_by_role("button", name="Delete").click()
    a.get_by_role("button", name="Yes, delete it").click()
    assert converge(a, b) == [FIRST, "Ask us if you are not sure.", THIRD]
    undo = a.get_by_role("button", name="Undo", exact=True)
    expect(undo).to_be_focused()
    a.keyboard.press("Enter")
    assert converge(a, b) == [
        FIRST,
        "Ask us if you are not sure.",
        "We answer soon, within four weeks.",
        THIRD,
    ]
    assert stored(live_server, world) == texts(b)

    # Bob splits the sentence Alice is typing at the end of: her caret goes with her
    # words into the new second half, and her next keys land there.
    put_caret(a, 2, len("We answer soon, within four weeks."))
    put_caret(b, 2, len("We answer soon, "))
    b.keyboard.press("Enter")
    expect(a.get_by_role("textbox", name="Sentence 4 of 5")).to_be_focused()
    a.keyboard.type(" Promise.")
    assert converge(a, b) == [
        FIRST,
        "Ask us if you are not sure.",
        "We answer soon, ",
        "within four weeks. Promise.",
        THIRD,
    ]
    assert stored(live_server, world) == texts(b)
    assert alice.problems == [] and bob.problems == []


def test_presence_shows_who_edits_which_sentence(world, editor, live_server):
    alice, bob = editor("alice@example.org"), editor("bob@example.org")
    carol = editor("carol@example.org")
    expect(bob.page.locator("[data-live-presence]")).to_contain_text("Alice Moreno (reading)")
    put_caret(alice.page, 1, 0)
    second = world["section"].sentences[1].id
    for page in (bob.page, carol.page):
        label = page.locator(f"#sentence-{second} .sentence__who")
        expect(label).to_have_text("Alice Moreno is editing")
        expect(page.locator("[data-live-presence]")).to_contain_text(
            "Alice Moreno (editing sentence 2)"
        )
        # Said once, politely, to screen readers; the name is written, not only coloured.
        expect(page.locator("[data-live-announce]")).to_have_text(
            "Alice Moreno is editing sentence 2."
        )
        expect(page.locator(f"#sentence-{second} .sentence__tag")).to_have_text("Alice Moreno")
    bob.check("live-01-watched-by-a-writer")
    alice.close()
    for page in (bob.page, carol.page):
        expect(page.locator(f"#sentence-{second} .sentence__who")).to_be_hidden()
        expect(page.locator("[data-live-presence]")).not_to_contain_text("Alice")

    # Bob leaves the sub-group while his page is open: it turns read-only at once.
    gone = requests.delete(
        f"{live_server.url}/api/v1/subgroups/{world['sub'].id}/members/{world['bob'].id}",
        headers={"Authorization": f"Bearer {world['facilitator_token']}"},
        timeout=10,
    )
    assert gone.status_code == 204
    expect(bob.page.get_by_text("You can read this section.")).to_be_visible()
    expect(bob.page.locator("[contenteditable]")).to_have_count(0)
    expect(bob.page.get_by_role("button", name="Add a sentence at the end")).to_be_hidden()


def test_offline_edits_are_kept_and_sent_on_reconnect(world, editor, live_server):
    alice, bob = editor("alice@example.org"), editor("bob@example.org")
    a = alice.page
    put_caret(a, 2, len(THIRD))
    alice.context.set_offline(True)
    status = a.locator("[data-live-status]")
    expect(status).to_have_attribute("data-state", "offline")
    expect(status).to_contain_text(
        "Offline — your changes are kept and will be sent when you reconnect."
    )
    a.keyboard.type(" Ask us how.")
    a.keyboard.press("Enter")  # structural changes wait for the connection; typing does not
    expect(a.get_by_role("alert")).to_contain_text("You are offline, so you cannot start")
    a.keyboard.type(" Today.")
    time.sleep(0.5)
    assert texts(bob.page)[2] == THIRD  # nothing got through
    expect(status).to_have_attribute("data-state", "offline")
    alice.photograph("live-07-offline", full_page=False)
    alice.context.set_offline(False)
    expect(status).to_have_attribute("data-state", "saved", timeout=15_000)
    expect(a.locator("[data-live-alert]")).to_be_empty()
    final = THIRD + " Ask us how. Today."
    assert converge(a, bob.page, timeout=15) == [FIRST, SECOND, final]
    assert stored(live_server, world) == [FIRST, SECOND, final]


def test_a_too_long_edit_is_refused_and_kept(world, editor, live_server):
    alice = editor("alice@example.org")
    a = alice.page
    alice.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=alice.server.url)
    long = "word " * 450  # 2,250 characters
    a.evaluate("(text) => navigator.clipboard.writeText(text)", long)
    put_caret(a, 0, len(FIRST))
    a.keyboard.press("Control+V")
    problem = a.locator("ol.sentences li").first.locator(".sentence__problem")
    expect(problem).to_contain_text("Sentence 1 is too long to save")
    expect(problem).to_contain_text("the limit is 2,000")
    expect(a.get_by_role("alert")).to_contain_text("Your text is kept here.")  # announced
    expect(a.locator("[data-live-status]")).to_have_attribute("data-state", "problem")
    expect(a.get_by_role("textbox", name="Sentence 1 of 3")).to_have_attribute(
        "aria-invalid", "true"
    )
    assert texts(a)[0] == FIRST + long  # all of it, still in the editor
    assert stored(live_server, world)[0] == FIRST  # refused: never truncated
    alice.check("live-02-too-long")

    # Shortening it saves it and the message goes.
    a.keyboard.press("Control+A")
    a.keyboard.type("Short again.")
    expect(problem).to_be_hidden()
    expect(a.locator("[data-live-status]")).to_have_attribute("data-state", "saved")
    assert stored(live_server, world)[0] == "Short again."


def test_live_page_is_accessible_for_writers_and_watchers_and_fits_a_phone(world, editor):
    alice = editor("alice@example.org")
    carol = editor("carol@example.org")
    phone = editor("bob@example.org", width=375, height=740)
    put_caret(alice.page, 0, 3)
    expect(carol.page.locator("ol.sentences li").first.locator(".sentence__who")).to_have_text(
        "Alice Moreno is editing"
    )
    carol.check("live-04-watcher")
    alice.page.get_by_text("Keys for editing sentences").click()
    alice.check("live-03-writer")
    put_caret(phone.page, 1, 0)
    phone.page.get_by_role("button", name="Actions for sentence 2").click()
    phone.no_sideways_scroll("live phone")
    expect(phone.page.get_by_role("button", name="Move up")).to_be_visible()
    phone.check("live-05-phone-actions")
    phone.page.keyboard.press("Escape")
    phone.check("live-06-phone")


def test_undo_and_redo_own_typing_while_another_person_types(world, editor, live_server):
    alice, bob = editor("alice@example.org"), editor("bob@example.org")
    a, b = alice.page, bob.page
    first = world["section"].sentences[0].id
    undo = a.get_by_role("button", name="Undo typing")
    redo = a.get_by_role("button", name="Redo typing")
    expect(undo).to_be_disabled()

    # Alice adds words near the end of sentence 1 while Bob types at its start.
    put_caret(a, 0, len("You can ask for a Personal"))
    put_caret(b, 0, 0)
    a.keyboard.type(" direct")
    b.keyboard.type("Now ")
    expect(b.locator(f"#sentence-{first} .sentence__tag")).to_have_text("Alice Moreno")
    expect(a.locator(f"#sentence-{first} .sentence__tag")).to_have_text("Bob Okafor")
    a.keyboard.type(" payment")
    b.keyboard.type("at any time ")
    expect(undo).to_be_enabled()

    # Ctrl+Z takes out Alice's words only (her typing was one or two steps, as her
    # pauses fell); Bob's stay, and nothing stray is left.
    a.keyboard.press("Control+z")
    expect(a.locator("[data-live-announce]")).to_have_text("Undone in sentence 1.")
    b.keyboard.type("you ")
    a.keyboard.press("Control+z")
    plain = "Now at any time you You can ask for a Personal Budget."
    assert converge(a, b)[0] == plain
    assert stored(live_server, world) == texts(b)

    # Redo (Ctrl+Shift+Z) puts them back; undo and Ctrl+Y again.
    a.keyboard.press("Control+Shift+z")
    a.keyboard.press("Control+Shift+z")
    full = "Now at any time you You can ask for a Personal direct payment Budget."
    assert converge(a, b)[0] == full
    a.keyboard.press("Control+z")
    a.keyboard.press("Control+z")
    assert converge(a, b)[0] == plain
    a.keyboard.press("Control+y")
    a.keyboard.press("Control+y")
    assert converge(a, b)[0] == full
    assert stored(live_server, world) == texts(b)

    # Typing a space and undoing it leaves exactly what was there, and saves nothing.
    before = stored(live_server, world)
    a.keyboard.press("End")
    a.keyboard.type(" ")
    a.keyboard.press("Control+z")
    assert converge(a, b) == before
    assert stored(live_server, world) == before
    expect(redo).to_be_enabled()

    # The buttons do the same from the keyboard: Shift+Tab from the sentence reaches them.
    a.keyboard.type(" Thanks.")
    assert converge(a, b)[0] == full + " Thanks."
    a.keyboard.press("Shift+Tab")
    expect(undo).to_be_focused()
    a.keyboard.press("Enter")
    assert converge(a, b) == before
    expect(a.get_by_role("textbox", name="Sentence 1 of 3")).to_be_focused()
    alice.check("live-undo-with-others")
    assert alice.problems == [] and bob.problems == []


def test_a_paste_is_cleaned_of_what_typed_text_may_not_hold(world, editor, live_server):
    """The server refuses a tab or an invisible character in typed text (`bad_text`),
    so the editor cleans a paste of them first: a tab becomes a space, a zero-width
    space and a line break go or become a space, and the change is saved."""
    alice = editor("alice@example.org")
    a = alice.page
    put_caret(a, 0, len(FIRST))
    a.evaluate(
        "(text) => { const dt = new DataTransfer(); dt.setData('text/plain', text);"
        " document.activeElement.dispatchEvent(new ClipboardEvent('paste',"
        " {clipboardData: dt, bubbles: true, cancelable: true})); }",
        " Cells\tfrom a\u200b sheet\nand more.",
    )
    expected = FIRST + " Cells from a sheet and more."
    assert converge(a) == [expected, SECOND, THIRD]
    assert stored(live_server, world) == [expected, SECOND, THIRD]
    assert alice.problems == []


def test_a_writer_is_told_when_someone_puts_back_an_earlier_text(world, editor, live_server, make):
    """Found in use: a restore changed the text under someone editing with no word said."""
    alice = editor("alice@example.org")
    a = alice.page
    seq = requests.get(
        f"{live_server.url}/api/v1/policies/{world['section'].policy_id}/history",
        headers={"Authorization": f"Bearer {world['token']}"},
        timeout=10,
    ).json()["revisions"][0]["last_seq"]
    put_caret(a, 2, len(THIRD) - 1)
    a.keyboard.type(" later")
    assert converge(a)[2] == "You can appeal later."
    restored = requests.post(
        f"{live_server.url}/api/v1/sections/{world['section'].id}/restore",
        headers={"Authorization": f"Bearer {make.token(world['bob'])}"},
        json={"point": f"seq:{seq}"},
        timeout=10,
    )
    assert restored.status_code == 200, restored.text
    assert converge(a)[2] == THIRD
    note = a.locator(".live-notice--restored")
    expect(note).to_contain_text("Bob Okafor put back an earlier text of this section.")
    alice.check("live-restored-notice")
    note.get_by_role("button", name="Dismiss").click()
    expect(note).to_have_count(0)


def test_words_typed_on_the_end_and_split_off_are_yours(world, editor, live_server):
    """Bob types a new sentence on the end of Fatima's, then presses Enter after the
    full stop, as the long-line hint asks. The new sentence is his: his words page
    says he wrote it and every word is his (it said "You wrote it · 0 of its words
    are yours", and credited the words to Fatima)."""
    bob = editor("bob@example.org")
    b = bob.page
    put_caret(b, 2, len(THIRD))
    b.keyboard.type(" Ask us how we decide.")
    for _ in range(len(" Ask us how we decide.")):
        b.keyboard.press("ArrowLeft")
    b.keyboard.press("Enter")
    assert converge(b) == [FIRST, SECOND, THIRD + " ", "Ask us how we decide."]
    page = bob.goto(f"/policies/{world['section'].policy_id}/your-words")
    mine = page.locator("li", has_text="Ask us how we decide.")
    expect(mine).to_contain_text("You wrote it · 5 of its words are yours")
    expect(page.locator("li", has_text=THIRD)).to_have_count(0)
