"""The co-production pages in Chromium: the charts render as SVG, each chart's
table holds the same numbers as its bars, and the pages pass axe at desktop and
phone widths without scrolling sideways."""

from __future__ import annotations

import pytest

from server import sync
from server.editing import services as editing
from server.meetings import attendance
from server.meetings import services as meetings
from server.participation import figures

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(make, db):
    fatima = make.user("Fatima Khan", "fatima@example.org")
    group = make.group(fatima, "Northshire SEND Co-production Group")
    sam = make.member(group, make.user("Sam Taylor", "sam@example.org"), "parent_carer")
    ali = make.member(group, make.user("Ali Young", "ali@example.org"), "young_person")
    nia = make.member(group, make.user("Nia Teacher", "nia@example.org"), "education")
    hugo = make.member(group, make.user("Hugo Nurse", "hugo@example.org"), "health")
    sub = make.subgroup(group, "Writers", members=[sam, ali, nia, hugo])
    policy = make.policy(group, fatima, "EHCP Personal Budget policy")
    section = make.section(policy.parts[0], fatima, sub, "Asking for a budget")
    for who, words in [
        (sam.user, "You can ask for a Personal Budget when the plan is reviewed."),
        (nia.user, "The school will help you fill in the form."),
        (nia.user, "Your child's teacher can come to the meeting too."),
        (hugo.user, "Health support can be part of the budget."),
    ]:
        editing.insert(db, section, who, words, sync.Place(at="start"))
    meeting = meetings.schedule(
        db, group, fatima, title="January session", starts_at=policy.created_at
    )
    meetings.start(db, meeting, fatima)
    attendance.record(
        db,
        meeting,
        fatima.id,
        [
            {"user_id": sam.user_id, "status": "present", "mode": "online"},
            {"user_id": nia.user_id, "status": "present", "mode": "in_person"},
            {"user_id": ali.user_id, "status": "apologies"},
        ],
    )
    meetings.close(db, meeting, fatima)
    db.commit()
    return {"policy": policy, "group": group, "meeting": meeting, "db": db}


def _bars_and_tables(page) -> dict:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('figure[data-chart]')).map(f => ({
            key: f.dataset.chart,
            bars: Array.from(f.querySelectorAll('svg g[data-bar]')).map(
                g => [g.dataset.bar, Number(g.querySelector('text:last-of-type').textContent)]),
            table: Array.from(f.querySelectorAll('tbody tr')).map(r => [
                r.querySelector('th').textContent, Number(r.querySelector('td').textContent)]),
            width: f.querySelector('svg').getBoundingClientRect().width,
        }))"""
    )


@pytest.mark.parametrize("width", [1100, 390])
def test_charts_match_their_tables_and_pass_axe(open_session, seeded, width):
    session = open_session(width=width, height=900)
    session.sign_in("sam@example.org")
    policy = seeded["policy"]
    page = session.goto(f"/policies/{policy.id}/participation")
    charts = _bars_and_tables(page)
    assert [c["key"] for c in charts] == list(figures.METRICS)
    for chart in charts:
        assert chart["bars"] == chart["table"], chart["key"]
        assert chart["width"] > 100
    words = {label: n for label, n in next(c for c in charts if c["key"] == "words")["bars"]}
    # Sam 12 words; Nia 9 + 9; Hugo 8.
    assert words["Parents and carers"] == 12
    assert words["Education staff"] == 18
    assert words["Health staff"] == 8
    attended = dict(next(c for c in charts if c["key"] == "attended")["bars"])
    assert attended["Parents and carers"] == 1 and attended["Young people"] == 0
    # The big table agrees with the charts too.
    cell = page.locator('#participation-table tr[data-role="education"] td[data-metric="words"]')
    assert cell.inner_text() == "18"
    session.check(f"coproduction-participation-{width}")
    session.no_sideways_scroll(f"participation {width}")

    for path, name in [
        (f"/policies/{policy.id}/your-words", "your-words"),
        (f"/policies/{policy.id}/ladder", "ladder"),
        (f"/policies/{policy.id}/monitoring", "monitoring"),
        (f"/groups/{seeded['group'].id}/checks", "checks"),
        (f"/sessions/{seeded['meeting'].id}/check", "check"),
        (f"/sessions/{seeded['meeting'].id}", "session"),
    ]:
        session.goto(path)
        session.check(f"coproduction-{name}-{width}")
        session.no_sideways_scroll(f"{name} {width}")


def test_the_record_page_passes_axe_and_the_check_works_by_keyboard(open_session, seeded):
    session = open_session(width=390, height=900)
    session.sign_in("fatima@example.org")
    session.goto(f"/sessions/{seeded['meeting'].id}/record")
    session.check("coproduction-record-390")
    session.no_sideways_scroll("record 390")
    session.close()
    member = open_session(width=390, height=900)
    page = member.sign_in("sam@example.org")
    member.goto(f"/sessions/{seeded['meeting'].id}/check")
    page.get_by_role("group", name="I was listened to.").get_by_label("Agree", exact=True).check()
    page.get_by_role("button", name="Send my answers").press("Enter")
    page.wait_for_url(f"**/groups/{seeded['group'].id}/checks")
    assert "nothing is shown yet" in page.content()
    member.check("coproduction-checks-after-answer-390")
