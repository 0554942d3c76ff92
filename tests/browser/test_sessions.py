"""The review page and the session page in a real browser: they pass axe at
desktop and phone width, fit a phone, and marking reviewed works by keyboard."""

from __future__ import annotations

import re

import pytest
from diff_match_patch import diff_match_patch
from playwright.sync_api import expect

from server.accounts.models import User
from server.editing import services as editing
from server.groups.services import get_member
from server.meetings import services as meetings
from server.policies.services import sentences_of
from server.review import comments, proposals, votes

pytestmark = pytest.mark.browser
dmp = diff_match_patch()


def edit(db, section, user, index, new_text):
    row = sentences_of(db, [section.id])[section.id][index]
    editing.edit_text(
        db, section, row, user, row.version, dmp.patch_toText(dmp.patch_make(row.text, new_text))
    )
    db.commit()


@pytest.fixture
def seeded(make, db):
    fatima = make.user("Fatima Khan", "fatima@example.org")
    group = make.group(fatima, "Northshire SEND Co-production Group")
    sam = make.user("Sam Taylor", "sam@example.org")
    ship = make.member(group, sam, "parent_carer")
    sub = make.subgroup(group, "Families' questions", members=[ship])
    policy = make.policy(
        group, fatima, "EHCP Personal Budget policy", parts=("Frequently asked questions",)
    )
    section = make.section(
        policy.parts[0],
        fatima,
        sub,
        "What is a Personal Budget?",
        kind="faq",
        text="A Personal Budget is an amount of money for some of the support in your "
        "child's EHCP. You can ask for one when the plan is reviewed. The council "
        "pays it monthly.",
    )
    first = meetings.schedule(
        db,
        group,
        fatima,
        title="January session",
        starts_at=policy.created_at,
        place="Town hall, room 2",
    )
    meetings.start(db, first, fatima)
    meetings.close(db, first, fatima)
    db.commit()
    edit(db, section, sam, 1, "You can ask for one at the annual review of the plan.")
    edit(db, section, sam, 2, "The council pays it every four weeks.")
    comments.add(db, section, ship, "Could we say who to ask?")
    row = sentences_of(db, [section.id])[section.id][0]
    prop = proposals.create(
        db,
        section,
        ship,
        kind="replace",
        reason="Shorter words help families",
        text="A Personal Budget is money for some of your child's support.",
        sentence_ids=[row.id],
    )
    votes.open_for_proposal(db, prop, ship, sam)
    fac = get_member(db, group.id, fatima.id)
    assert fac is not None
    nxt = meetings.schedule(
        db,
        group,
        fatima,
        title="March session",
        starts_at=policy.created_at.replace(year=2030),
        place="https://meet.example.org/northshire",
        notes="Bring the draft.",
    )
    db.commit()
    return {"group": group, "meeting": nxt, "sam": db.get(User, sam.id)}


def test_review_page_marks_by_keyboard_and_passes_axe(seeded, open_session):
    gid = seeded["group"].id
    s = open_session()
    s.sign_in("sam@example.org")
    page = s.goto(f"/groups/{gid}/review")
    expect(page.get_by_role("heading", name="What changed since the last session")).to_be_visible()
    count = page.locator(".s-count")
    expect(count).to_contain_text("You have reviewed 0 of 4.")
    s.check("sessions-01-review")

    first = page.locator("[data-mark-key]").first
    first.focus()
    page.keyboard.press("Enter")
    expect(count).to_contain_text("You have reviewed 1 of 4.")
    expect(page.locator("[data-mark-key]").first).to_contain_text("Mark as not reviewed")
    expect(page.locator("[data-sessions-announce]")).to_have_text("Marked as reviewed")
    focused = page.evaluate("() => document.activeElement.getAttribute('data-mark-key')")
    assert focused is not None
    page.reload()
    expect(count).to_contain_text("You have reviewed 1 of 4.")

    phone = open_session(width=375, height=740)
    phone.sign_in("sam@example.org")
    phone.goto(f"/groups/{gid}/review")
    phone.no_sideways_scroll("review on a phone")
    phone.check("sessions-02-review-phone")


def test_session_page_and_pack(seeded, open_session):
    mid = seeded["meeting"].id
    s = open_session()
    s.sign_in("fatima@example.org")
    page = s.goto(f"/sessions/{mid}")
    expect(page.get_by_role("heading", name="Agenda", exact=True)).to_be_visible()
    votes = page.get_by_role("heading", name="Votes waiting for a decision")
    expect(votes).to_be_visible()
    expect(page.locator(".s-agenda__title").first).to_contain_text("Suggestion: ")
    s.check("sessions-03-session")
    for title in ("Apologies", "Welcome and tea"):
        page.get_by_label("Title of the item").fill(title)
        page.get_by_role("button", name="Add to the agenda").click()
        expect(page.locator(".s-agenda__title", has_text=title)).to_be_visible()
    page.get_by_role("button", name=re.compile("Move up.*Welcome and tea")).click()
    expect(page.locator(".s-agenda__title").first).to_contain_text("Welcome and tea")
    expect(page.locator(".s-agenda__title").last).to_contain_text("Suggestion: ")
    page.get_by_role("link", name="Start the session").click()
    page.get_by_role("button", name="Yes, start the session").click()
    expect(page.locator(".s-facts")).to_contain_text("Running now")
    s.check("sessions-04-session-running")

    s.goto(f"/sessions/{mid}/pack")
    expect(s.page.get_by_role("heading", name="Agenda", exact=True)).to_be_visible()
    s.check("sessions-05-pack")

    # Attendance and notes are saved together (saving them apart lost the one not
    # saved); an action typed and not added is asked about before leaving.
    s.goto(f"/sessions/{mid}/record")
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_label("Attendance: Sam Taylor").select_option("present")
    page.get_by_label("1. Welcome and tea").fill("Everyone said hello.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save attendance and notes").last.click()
    expect(page.get_by_label("Attendance: Sam Taylor")).to_have_value("present")
    expect(page.get_by_label("1. Welcome and tea")).to_have_value("Everyone said hello.")
    assert asked == []  # a form's own button never asks
    page.get_by_label("What is to be done").fill("Send the minutes")
    page.get_by_role("button", name="Save attendance and notes").first.click()
    expect(page.get_by_label("What is to be done")).to_have_value("Send the minutes")
    assert asked == ["beforeunload"]

    phone = open_session(width=375, height=740)
    phone.sign_in("sam@example.org")
    phone.goto(f"/sessions/{mid}")
    phone.no_sideways_scroll("session on a phone")
    phone.check("sessions-06-session-phone")
    phone.goto(f"/groups/{seeded['group'].id}/sessions")
    phone.check("sessions-07-list-phone")
