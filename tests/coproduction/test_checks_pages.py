"""The "I statements" check through the pages, the ladder and the monitoring
record: anonymity (nothing below 3 answers, no page says who answered what),
one answer each, only for people at the session, and the exports."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from docx import Document

from server.meetings import attendance, services
from server.participation.models import CheckResponse, Statement, StatementTally
from tests.conftest import sign_in
from tests.web.conftest import post, text


@pytest.fixture
def closed(make, db, world):
    """A closed session with four more members present and one absent."""
    people = [make.member(world.group, make.user(f"Answerer {i}")) for i in range(4)]
    away = make.member(world.group, make.user("Away Member"), "health")
    meeting = services.schedule(
        db, world.group, world.facilitator, title="March session", starts_at=datetime.now(UTC)
    )
    services.start(db, meeting, world.facilitator)
    attendance.record(
        db,
        meeting,
        world.facilitator.id,
        [{"user_id": p.user_id, "status": "present", "mode": "online"} for p in people]
        + [
            {"user_id": world.member.id, "status": "present", "mode": "in_person"},
            {"user_id": away.user_id, "status": "absent"},
        ],
    )
    services.close(db, meeting, world.facilitator)
    db.commit()
    return {"meeting": meeting, "people": people, "away": away}


def _answer(client, meeting_id, db, choice="agree"):
    ids = [s.id for s in db.query(Statement).order_by(Statement.position)]
    return post(client, f"/sessions/{meeting_id}/check", {f"s-{i}": choice for i in ids})


def test_the_starter_set_ships_and_results_hide_below_three(client, db, world, closed):
    meeting = closed["meeting"]
    assert db.query(Statement).count() == 7
    for n, person in enumerate(closed["people"][:2]):
        client.get("/")
        sign_in(client, person.user.email)
        assert "How was the session?" in text(client.get(f"/sessions/{meeting.id}"))
        assert _answer(client, meeting.id, db, ["agree", "disagree"][n]).status_code == 302
        post(client, "/sign-out")
    sign_in(client, world.facilitator.email)
    page = text(client.get(f"/groups/{world.group.id}/checks"))
    assert "Fewer than 3 people have answered, so nothing is shown yet." in page
    assert "<table" not in page
    api = client.get(f"/api/v1/groups/{world.group.id}/checks")
    if api.status_code == 200:
        session = api.get_json()["sessions"][0]
        assert session["shown"] is False and session["answered"] is None
        assert all(s["counts"] is None for s in session["statements"])


def test_results_are_counts_only_from_three_answers(client, db, world, closed):
    meeting = closed["meeting"]
    for person, choice in zip(closed["people"][:3], ["agree", "agree", "partly"], strict=True):
        sign_in(client, person.user.email)
        assert _answer(client, meeting.id, db, choice).status_code == 302
        post(client, "/sign-out")
    sign_in(client, world.facilitator.email)
    page = text(client.get(f"/groups/{world.group.id}/checks"))
    assert "3 people answered." in page
    assert re.search(r"I was listened to\.</th><td>2</td><td>1</td><td>0</td>", page)
    for person in closed["people"]:
        assert person.user.display_name not in page
    # What is stored: counts, and who answered without what or when.
    assert {c.name for c in CheckResponse.__table__.columns} == {"id", "meeting_id", "user_id"}
    assert "user_id" not in {c.name for c in StatementTally.__table__.columns}


def test_one_answer_each_and_only_for_people_who_were_there(client, db, world, closed):
    meeting = closed["meeting"]
    sign_in(client, closed["people"][0].user.email)
    assert _answer(client, meeting.id, db).status_code == 302
    again = _answer(client, meeting.id, db, "disagree")
    assert again.status_code == 409
    assert "answered this check already" in text(again)
    tally = db.query(StatementTally).first()
    assert (tally.agree, tally.partly, tally.disagree) == (1, 0, 0)
    post(client, "/sign-out")

    sign_in(client, closed["away"].user.email)
    refused = _answer(client, meeting.id, db)
    assert refused.status_code == 403
    assert db.query(CheckResponse).count() == 1


def test_an_answer_outside_the_choices_saves_nothing(client, db, world, closed):
    sign_in(client, closed["people"][0].user.email)
    ids = [s.id for s in db.query(Statement)]
    reply = post(
        client, f"/sessions/{closed['meeting'].id}/check", {f"s-{ids[0]}": "strongly agree"}
    )
    assert reply.status_code == 422
    assert db.query(CheckResponse).count() == 0
    assert db.query(StatementTally).count() == 0


def test_facilitators_edit_the_statement_list(as_facilitator, db, world, closed):
    reply = post(
        as_facilitator,
        f"/groups/{world.group.id}/statements",
        {"text": "I had time to read the papers."},
    )
    assert reply.status_code == 302
    first = db.query(Statement).order_by(Statement.position).first()
    post(as_facilitator, f"/statements/{first.id}", {"do": "retire"})
    db.expire_all()
    assert db.get(Statement, first.id).active is False
    page = text(as_facilitator.get(f"/groups/{world.group.id}/checks"))
    assert 'value="I had time to read the papers."' in page
    assert "Statement 1 (not asked now)" in page


def test_the_ladder_and_the_monitoring_record(as_member, client, db, world, closed):
    page = text(as_member.get(f"/policies/{world.policy.id}/ladder"))
    assert "We decide together" in page
    assert (
        post(
            as_member, f"/policies/{world.policy.id}/ladder", {"rung": "participation"}
        ).status_code
        == 302
    )
    bad = post(as_member, f"/policies/{world.policy.id}/ladder", {"rung": "top"})
    assert bad.status_code == 422
    page = text(as_member.get(f"/policies/{world.policy.id}/ladder"))
    assert "1 member has answered." in page
    # The chart's table: a row per step, highest first as in the list above it,
    # under a heading that says so; the month in words.
    table = page.split('class="c-table c-chart__table"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="col">Step</th>' in table and "Role" not in table
    assert table.index("Co-production") < table.index("No engagement")
    month = f"{datetime.now(UTC):%B %Y}"
    assert f'<th scope="row">{month}</th>' in page

    record = text(as_member.get(f"/policies/{world.policy.id}/monitoring"))
    assert "Who took part, by role" in record and "March session" in record
    docx = as_member.get(f"/policies/{world.policy.id}/monitoring.docx")
    assert docx.status_code == 200
    body = "\n".join(p.text for p in Document(io.BytesIO(docx.data)).paragraphs)
    assert "Monitoring record: Personal Budget policy" in body
    assert "Participation: 1" in body
    csv_text = as_member.get(f"/policies/{world.policy.id}/monitoring.csv").get_data(as_text=True)
    assert "ladder" in csv_text and "participation,Parents and carers,members" in csv_text
    # Members cannot write the learning; facilitators can.
    assert (
        post(
            as_member, f"/policies/{world.policy.id}/monitoring/learning", {"text": "x"}
        ).status_code
        == 403
    )


def test_participation_pages_and_csv(as_member, world):
    page = as_member.get(f"/policies/{world.policy.id}/participation")
    assert page.status_code == 200
    assert 'role="img"' in text(page)
    csv_text = as_member.get(f"/policies/{world.policy.id}/participation.csv").get_data(
        as_text=True
    )
    assert csv_text.splitlines()[0] == (
        "role,members,attended,words,edits,comments,suggestions,accepted,votes"
    )
    assert as_member.get(f"/groups/{world.group.id}/participation").status_code == 200
    bad = as_member.get(f"/policies/{world.policy.id}/participation?start=soon")
    assert bad.status_code == 422
    words = text(as_member.get(f"/policies/{world.policy.id}/your-words"))
    assert "Your words in the policy" in words


def test_chart_shares_add_up_to_the_whole():
    """Rounded alone, 2 of 8 and six 1s of 8 read 25% and 12% six times: 97% under a
    total of 100%. The points rounding loses go to the largest remainders."""
    from server.participation.charts import bar_chart, shares

    assert shares([2, 1, 1, 1, 1, 1, 1]) == [25, 13, 13, 13, 12, 12, 12]
    assert shares([1, 1, 1]) == [34, 33, 33]
    assert shares([0, 0]) == [0, 0]
    chart = bar_chart("k", "Members", [("A", 2), ("B", 1), ("C", 1)], by="step")
    assert [b.share for b in chart.bars] == [50, 25, 25]
    assert chart.description.startswith("Members, by step. A: 2 (50%)")
