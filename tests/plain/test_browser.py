"""Plain language in real browsers against a real server: hints arrive live in a
second browser after an edit and go when the sentence is fixed; a glossary term in
the text opens by keyboard; the pages pass axe at desktop and phone widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import fast_passwords, open_session  # noqa: F401
from tests.conftest import LiveServer, wait_for_port

pytestmark = pytest.mark.browser


class PatientServer(LiveServer):
    """The shared live server, given longer to start: on a machine shared by many
    test runs, importing the app alone has taken over 20 seconds."""

    def start(self):
        try:
            return super().start()
        except RuntimeError as exc:
            if "did not listen" not in str(exc):
                raise
        wait_for_port(self.port, self.proc, timeout=60)
        return self


@pytest.fixture
def live_server(instance):
    server = PatientServer(instance).start()
    yield server
    server.stop()


FIRST = "You can ask for a Personal Budget."
SECOND = "We answer within four weeks."


@pytest.fixture
def world(make, db):
    from server.glossary import services as glossary

    fatima = make.user("Fatima Khan", "fatima@example.org")
    group = make.group(fatima, "Northshire SEND group")
    alice = make.user("Alice Moreno", "alice@example.org")
    carol = make.user("Carol Singh", "carol@example.org")
    writer = make.member(group, alice)
    make.member(group, carol, "health")
    sub = make.subgroup(group, "Families' questions", [writer])
    policy = make.policy(group, fatima, "EHCP Personal Budget policy")
    section = make.section(
        policy.parts[0],
        fatima,
        sub,
        "Asking for a budget",
        f"{FIRST} {SECOND} Parents can ask the SENCo about an EHCP.",
    )
    glossary.suggest(
        db, group.id, fatima, "EHCP", "A plan that says what help your child gets.", accept=True
    )
    db.commit()
    return {"group": group, "policy": policy, "section": section, "fatima": fatima}


def _open(open_session, email, path, **kwargs):  # noqa: F811
    session = open_session(**kwargs)
    session.sign_in(email)
    session.goto(path)
    return session


def _joined(session):
    expect(session.page.locator("[data-live-status]")).to_have_attribute("data-state", "saved")


def test_hints_arrive_live_in_a_second_browser_and_go_when_fixed(world, open_session):  # noqa: F811
    path = f"/sections/{world['section'].id}"
    alice = _open(open_session, "alice@example.org", path)
    carol = _open(open_session, "carol@example.org", path)
    _joined(alice)
    _joined(carol)
    second = carol.page.locator("ol.sentences > li").nth(1)
    expect(second.locator(".hints")).to_be_hidden()
    # The third sentence has hints from the start, rebuilt by the live editor.
    third = carol.page.locator("ol.sentences > li").nth(2)
    expect(third.locator(".hint--not_to_reader")).to_be_visible()

    box = alice.page.locator("ol.sentences .sentence__text").nth(1)
    box.focus()
    alice.page.keyboard.press("Control+A")
    alice.page.keyboard.type("Your request is checked by a panel.")
    expect(second.locator(".hint--passive")).to_be_visible(timeout=15_000)
    expect(second.locator(".hint--passive")).to_contain_text("“is checked by” does not say who")
    described = second.locator(".sentence__text").get_attribute("aria-describedby")
    assert f"sentence-{second.get_attribute('data-sentence-id')}-hints" in described

    box.focus()
    alice.page.keyboard.press("Control+A")
    alice.page.keyboard.type("A panel checks your request.")
    expect(second.locator(".hints")).to_be_hidden(timeout=15_000)
    expect(second.locator(".hint--passive")).to_have_count(0)
    carol.check("plain-section-live-watcher")
    alice.check("plain-section-live-writer")


def test_writer_dismisses_a_hint_for_everyone(world, open_session):  # noqa: F811
    path = f"/sections/{world['section'].id}"
    alice = _open(open_session, "alice@example.org", path)
    _joined(alice)
    third = alice.page.locator("ol.sentences > li").nth(2)
    third.get_by_role(
        "button", name="Dismiss the hint “Write to the reader” for this sentence"
    ).click()
    expect(third.locator(".hint--not_to_reader")).to_have_count(0)
    carol = _open(open_session, "carol@example.org", path)
    _joined(carol)
    expect(carol.page.locator("ol.sentences > li").nth(2).locator(".hint--jargon")).to_be_visible()
    expect(carol.page.locator(".hint--not_to_reader")).to_have_count(0)


def test_glossary_term_opens_by_keyboard(world, open_session):  # noqa: F811
    carol = _open(open_session, "carol@example.org", f"/policies/{world['policy'].id}")
    page = carol.page
    term = page.get_by_role("button", name="EHCP", exact=True)
    explanation = page.locator(".term__explanation").first
    expect(explanation).to_be_hidden()
    # Reach it with Tab from the link just before the policy text.
    term.focus()
    page.keyboard.press("Enter")
    expect(term).to_have_attribute("aria-expanded", "true")
    expect(explanation).to_be_visible()
    expect(explanation).to_contain_text("A plan that says what help your child gets.")
    page.keyboard.press("Space")
    expect(explanation).to_be_hidden()
    page.keyboard.press("Enter")
    carol.check("plain-policy-term-open")
    page.keyboard.press("Escape")  # closes it, as Escape closes menus
    expect(explanation).to_be_hidden()
    expect(term).to_have_attribute("aria-expanded", "false")
    expect(term).to_be_focused()


@pytest.mark.parametrize(("width", "name"), [(1100, "desktop"), (390, "phone")])
def test_pages_pass_axe(world, open_session, width, name):  # noqa: F811
    fatima = _open(
        open_session,
        "fatima@example.org",
        f"/groups/{world['group'].id}/glossary",
        width=width,
        height=900,
    )
    fatima.check(f"plain-glossary-{name}")
    fatima.no_sideways_scroll(f"plain-glossary-{name}")
    fatima.goto(f"/policies/{world['policy'].id}")
    fatima.check(f"plain-policy-{name}")
    fatima.no_sideways_scroll(f"plain-policy-{name}")
    alice = _open(
        open_session, "alice@example.org", f"/sections/{world['section'].id}", width=width
    )
    _joined(alice)
    expect(alice.page.locator(".hint--jargon")).to_be_visible()
    alice.check(f"plain-section-{name}")
    alice.no_sideways_scroll(f"plain-section-{name}")


@pytest.mark.parametrize(("width", "name"), [(1100, "desktop"), (390, "phone")])
def test_live_editor_marks_glossary_terms_and_follows_the_glossary(
    world,
    open_session,  # noqa: F811
    make,
    width,
    name,
):
    """The section page lists the glossary terms each sentence uses, beside the text
    being typed (never inside it); each opens by keyboard; typing is undisturbed;
    and a term the facilitator adds arrives live, its jargon hint gone."""
    import requests

    token = make.token(world["fatima"])
    alice = _open(
        open_session, "alice@example.org", f"/sections/{world['section'].id}", width=width
    )
    _joined(alice)
    page = alice.page
    third = page.locator("ol.sentences > li").nth(2)
    terms = third.locator("[data-terms-for]")
    expect(terms).to_contain_text("Words explained in the glossary: EHCP")
    expect(third.locator(".sentence__text .term")).to_have_count(0)  # the text is untouched
    button = terms.get_by_role("button", name="EHCP", exact=True)
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(terms.locator(".term__explanation")).to_contain_text(
        "A plan that says what help your child gets."
    )
    alice.check(f"plain-section-terms-{name}")
    alice.no_sideways_scroll(f"plain-section-terms-{name}")

    # Typing in the sentence goes on as before, the list beside it kept up.
    box = third.locator(".sentence__text")
    box.focus()
    page.keyboard.press("Control+End")  # End alone stops at a wrapped line's end
    page.keyboard.type(" Ask about your EHCP")
    expect(box).to_contain_text("about an EHCP. Ask about your EHCP")
    expect(terms.get_by_role("button", name="EHCP", exact=True)).to_be_visible()

    # A term added to the glossary is marked live, and is no longer jargon.
    expect(third.locator(".hint--jargon")).to_contain_text("SENCo")
    reply = requests.post(
        f"{alice.server.url}/api/v1/groups/{world['group'].id}/glossary",
        json={"term": "SENCo", "explanation": "The teacher who leads on special needs."},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert reply.status_code == 201, reply.text
    expect(terms.get_by_role("button", name="SENCo", exact=True)).to_be_visible(timeout=15_000)
    expect(third.locator(".hint--jargon")).to_have_count(0, timeout=15_000)
