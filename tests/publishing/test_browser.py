"""Publishing in a real browser: a facilitator publishes v1 and makes it public from
the "Publish and export" page; anyone reads the public page without signing in;
axe finds nothing at desktop and phone widths; hiding it answers 410 with no title;
hostile text stored in titles, sentences, glossary entries and names never runs,
on the public page or in any exported file."""

from __future__ import annotations

from pathlib import Path

import pytest
from diff_match_patch import diff_match_patch
from playwright.sync_api import expect

from server.exports.policy import render
from server.publishing import services as publishing
from tests.browser.test_review import NAMES, PAYLOADS, SCAN
from tests.publishing import readers

pytestmark = pytest.mark.browser


dmp = diff_match_patch()


@pytest.fixture
def world(make, db):
    fatima = make.user("Fatima Khan", "fatima@example.org")
    group = make.group(fatima, "Northshire SEND Co-production Group")
    sam = make.user("Sam Taylor", "sam@example.org")
    sam.credit_by_name = True
    sub = make.subgroup(group, "Families' questions", [make.member(group, sam)])
    make.member(group, make.user("Joy Mensah", "joy@example.org"), "young_person")
    policy = make.policy(
        group,
        fatima,
        "EHCP Personal Budget policy",
        parts=("Frequently asked questions", "How it works"),
    )
    make.section(
        policy.parts[0],
        fatima,
        sub,
        "What is a Personal Budget?",
        "A Personal Budget is money for some of the support in your child's EHCP. "
        "You can ask for one at the annual review.",
        kind="faq",
    )
    make.section(
        policy.parts[1],
        fatima,
        sub,
        "Direct payments",
        "A direct payment is money paid to you. We check how it is used every three months.",
    )
    db.commit()
    return {"policy": policy}


def test_publish_make_public_read_without_sign_in_then_hide(world, open_session, live_server):
    policy = world["policy"]
    s = open_session()
    s.sign_in("fatima@example.org")
    page = s.goto(f"/policies/{policy.id}")
    page.get_by_role("link", name="Publish and export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("EHCP Personal Budget policy")
    s.check("publishing-01-page-empty")
    page.get_by_label("A note for readers (optional)").fill("Agreed at the November session.")
    page.get_by_label("I understand that a published version can never be changed").check()
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_text("Published as version 1")).to_be_visible()
    s.check("publishing-02-release")
    page.get_by_role("link", name="Publish and export").click()
    page.get_by_role("button", name="Make the published versions public").click()
    link = page.locator("#public-link").input_value()
    assert link.endswith("/latest")
    s.check("publishing-03-page-public")

    # Anyone: no sign-in, on a desktop and on a phone.
    for width, height, name in ((1100, 900, "desktop"), (390, 844, "phone")):
        reader = open_session(width=width, height=height)
        public = reader.goto(link)
        expect(public.get_by_role("heading", level=1)).to_have_text("EHCP Personal Budget policy")
        expect(public.get_by_text("You can ask for one at the annual review.")).to_be_visible()
        expect(public.get_by_text("Named with their agreement: Sam Taylor.")).to_be_visible()
        assert "Joy" not in public.content()
        assert "sign in" not in public.content().lower()
        reader.check(f"publishing-04-public-{name}")
        reader.no_sideways_scroll(f"publishing-04-public-{name}")
        # A family can keep or print a copy: the version's files are one tap away.
        downloads = public.get_by_role("navigation", name="Download this version")
        with public.expect_download() as got:
            downloads.get_by_role("link", name="PDF, to print or keep").click()
        assert got.value.suggested_filename == "ehcp-personal-budget-policy-v1.pdf"
        assert Path(got.value.path()).read_bytes().startswith(b"%PDF")
        # Printable: the print styles keep the text and drop the version list and the
        # download links.
        public.emulate_media(media="print")
        expect(public.locator("footer")).to_be_hidden()
        expect(downloads).to_be_hidden()
        reader.close()

    # A family that read the page a moment ago: hiding it, and showing it again, take
    # effect at once for them. (That no cache keeps either answer is checked on the
    # headers, in test_releases.py: these browsers run with their cache off.)
    reader = open_session(width=390, height=844)
    assert reader.page.goto(link).status == 200
    page.get_by_role("button", name="Hide the public page").click()
    expect(page.get_by_text("The public page is hidden")).to_be_visible()
    response = reader.page.goto(link)
    assert response.status == 410
    assert "Personal Budget" not in reader.page.content()
    response = reader.page.goto(live_server.url + "/published/nothing-here/latest")
    assert response.status == 404
    assert "Personal Budget" not in reader.page.content()
    page.get_by_role("button", name="Make the published versions public").click()
    expect(page.locator("#public-link")).to_have_value(link)
    reader.page.goto(link)
    expect(reader.page.get_by_text("You can ask for one at the annual review.")).to_be_visible()


def test_publishing_pages_fit_a_phone(world, open_session, db):
    policy = world["policy"]
    from server.accounts.models import User

    fatima = db.query(User).filter_by(email="fatima@example.org").one()
    publishing.publish(db, policy, fatima, "First")
    db.commit()
    # Version 2 changes one word: "what changed" shows it struck and underlined, and
    # says it in words that only a screen reader reads.
    from server.editing import services as editing
    from server.policies.models import Sentence

    sentence = db.query(Sentence).filter(Sentence.text.like("We check how%")).one()
    new = sentence.text.replace("three", "six")
    patch = dmp.patch_toText(dmp.patch_make(sentence.text, new))
    editing.edit_text(db, sentence.section, sentence, fatima, sentence.version, patch)
    publishing.publish(db, policy, fatima, "Second")
    publishing.set_public(db, policy, fatima, True)
    db.commit()
    phone = open_session(width=390, height=844)
    phone.sign_in("fatima@example.org")
    for path, name in (
        (f"/policies/{policy.id}/publish", "publishing-05-page-phone"),
        (f"/policies/{policy.id}/releases/1", "publishing-06-release-phone"),
        (f"/policies/{policy.id}/releases/2", "publishing-06-release-2-phone"),
        ("/account", "publishing-07-account-phone"),
    ):
        phone.goto(path)
        phone.check(name)
        phone.no_sideways_scroll(name)
        if name.endswith("release-2-phone"):
            change = phone.page.locator(".changes li", has_text="We check how")
            expect(change.locator("del")).to_have_text("[removed: three]")
            expect(change.locator("ins")).to_have_text("[added: six]")
    reader = open_session(width=390, height=844)
    slug = publishing.public_page_of(db, policy.id).slug
    reader.goto(f"/published/{slug}/latest")
    expect(reader.page.locator(".changes ins")).to_have_text("[added: six]")
    reader.check("publishing-08-public-changes-phone")


def test_hostile_text_is_inert_on_the_public_page_and_in_every_format(
    make, db, browser, live_server
):
    from server.publishing.models import Release

    fatima = make.user(NAMES[0][:80], "fatima@example.org")
    fatima.credit_by_name = True
    group = make.group(fatima, "Group " + NAMES[1])
    for n, name in enumerate(NAMES[1:]):
        user = make.user(name[:80], f"named{n}@example.org")
        user.credit_by_name = True
        make.member(group, user)
    sub = make.subgroup(group, "Sub")
    policy = make.policy(group, fatima, PAYLOADS[0], parts=(PAYLOADS[1][:200],))
    for n, payload in enumerate(PAYLOADS[2:]):
        make.section(policy.parts[0], fatima, sub, payload[:300], f"Sentence {n}: {payload}")
    release = publishing.publish(db, policy, fatima)
    # Glossary entries come from issue 15's package; store hostile ones in the frozen
    # document as that package would have put them there.
    document = dict(release.document)
    document["glossary"] = [{"term": p[:80], "explanation": p} for p in PAYLOADS[:6]]
    db.query(Release).filter_by(id=release.id).update({"document": document})
    page_row = publishing.set_public(db, policy, fatima, True)
    db.commit()

    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.add_init_script("window.__xss = 0; window.alert = () => { window.__xss = 99; };")
    response = page.goto(f"/published/{page_row.slug}/latest")
    assert response.status == 200
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.__xss") == 0
    assert page.evaluate(SCAN) == []
    text = page.locator("body").inner_text()
    assert "<img src=x onerror=" in text and "{{7*7}}" in text
    assert "<svg onload=window.__xss=31>" in text  # a hostile name, shown as words

    # Every format: the same words, as words.
    doc = publishing.release_document(db, db.get(Release, release.id))
    for fmt in ("html", "md"):
        data = render(doc, fmt).decode()
        html = data if fmt == "html" else __import__("markdown").markdown(data)
        page.set_content(html)
        page.wait_for_timeout(100)
        assert page.evaluate("() => window.__xss") == 0, fmt
        assert page.evaluate(SCAN) == [], fmt
        assert "<script>window.__xss=1;alert(1)</script>" in page.locator("body").inner_text(), fmt
    for fmt in ("docx", "odt", "pdf"):
        words = readers.everything(fmt, render(doc, fmt))
        assert "<img src=x onerror=" in words, fmt
        assert "<script>window.__xss=1;alert(1)</script>" in words, fmt
    context.close()
