"""The co-production API: attendance, notes and actions (an action on the next
session until done), the anonymous check, the ladder, participation and the
monitoring record, with bad input refused and nothing saved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.meetings import services
from server.meetings.models import ActionItem, Attendance
from server.participation.models import CheckResponse, StatementTally
from tests.api.support import error
from tests.conftest import sign_in

V1 = "/api/v1"


@pytest.fixture
def team(make, db):
    chair = make.user("Chair")
    group = make.group(chair, "Northshire")
    people = [make.member(group, make.user(f"Member {i}")) for i in range(4)]
    outsider = make.user("Outsider")
    policy = make.policy(group, chair, "Personal budgets")
    tokens = {"chair": make.token(chair), "outsider": make.token(outsider)}
    for n, p in enumerate(people):
        tokens[n] = make.token(p.user)
    return {
        "group": group,
        "chair": chair,
        "people": people,
        "outsider": outsider,
        "policy": policy,
        "tokens": tokens,
    }


def call(client, method, path, token=None, json=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.open(V1 + path, method=method, headers=headers, json=json)


def plan(client, team, days, title):
    reply = call(
        client,
        "POST",
        f"/groups/{team['group'].id}/sessions",
        team["tokens"]["chair"],
        {"title": title, "starts_at": (datetime.now(UTC) + timedelta(days=days)).isoformat()},
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()["id"]


def test_attendance_notes_and_actions_through_the_api(client, team, db):
    chair = team["tokens"]["chair"]
    first = plan(client, team, 1, "First")
    people = team["people"]
    reply = call(
        client,
        "PUT",
        f"/sessions/{first}/attendance",
        chair,
        {
            "attendance": [
                {"user_id": people[0].user_id, "status": "present", "mode": "online"},
                {"user_id": people[1].user_id, "status": "apologies"},
            ]
        },
    )
    assert reply.status_code == 200
    got = {r["user_id"]: r for r in reply.get_json()}
    assert got[people[0].user_id]["mode"] == "online"
    assert got[people[2].user_id]["status"] is None

    item = call(client, "POST", f"/sessions/{first}/agenda", chair, {"title": "Welcome"})
    assert item.status_code == 201, item.get_json()
    key = f"item:{item.get_json()['id']}"
    reply = call(
        client,
        "PUT",
        f"/sessions/{first}/notes",
        chair,
        {"item": key, "text": "Everyone said hello."},
    )
    assert reply.status_code == 200
    assert reply.get_json() == [{"item": key, "title": "Welcome", "text": "Everyone said hello."}]

    reply = call(
        client,
        "POST",
        f"/sessions/{first}/actions",
        chair,
        {"what": "Send the draft round", "assignee_id": people[0].user_id, "due_on": "2030-02-01"},
    )
    assert reply.status_code == 201
    action = reply.get_json()
    assert action["assignee"] == "Member 0" and action["due_on"] == "2030-02-01"

    mine = call(client, "GET", f"/groups/{team['group'].id}/actions/mine", team["tokens"][0])
    assert [a["id"] for a in mine.get_json()] == [action["id"]]

    second = plan(client, team, 8, "Second")
    minutes = call(client, "GET", f"/sessions/{second}/minutes", team["tokens"][1]).get_json()
    assert [a["id"] for a in minutes["carried_actions"]] == [action["id"]]
    first_minutes = call(client, "GET", f"/sessions/{first}/minutes", chair).get_json()
    assert first_minutes["attendance_summary"] == {
        "in_person": 0,
        "online": 1,
        "apologies": 1,
        "absent": 0,
    }
    assert first_minutes["notes"][0]["text"] == "Everyone said hello."

    # Someone else cannot mark it; the member it is for can.
    assert (
        call(
            client, "PATCH", f"/actions/{action['id']}", team["tokens"][1], {"done": True}
        ).status_code
        == 403
    )
    assert (
        call(
            client, "PATCH", f"/actions/{action['id']}", team["tokens"][0], {"done": True}
        ).status_code
        == 200
    )
    minutes = call(client, "GET", f"/sessions/{second}/minutes", chair).get_json()
    assert minutes["carried_actions"] == []
    error(
        call(client, "PATCH", f"/actions/{action['id']}", chair, {"done": True}),
        409,
        "already_done",
    )


def test_bad_attendance_is_refused_and_nothing_saved(client, team, db):
    chair = team["tokens"]["chair"]
    meeting = plan(client, team, 1, "A session")
    ok = {"user_id": team["people"][0].user_id, "status": "present"}
    error(
        call(
            client,
            "PUT",
            f"/sessions/{meeting}/attendance",
            chair,
            {"attendance": [ok, {"user_id": team["outsider"].id, "status": "present"}]},
        ),
        422,
        "not_a_member",
    )
    late = error(
        call(
            client,
            "PUT",
            f"/sessions/{meeting}/attendance",
            chair,
            {"attendance": [{**ok, "status": "late"}]},
        ),
        422,
    )
    # One flat list per field, named by its path (docs/api.md), as the service's own
    # "attendance[1]" is: never an object nested by marshmallow.
    assert list(late["fields"]) == ["attendance[0].status"]
    error(
        call(
            client,
            "PUT",
            f"/sessions/{meeting}/attendance",
            chair,
            {"attendance": [{**ok, "status": "absent", "mode": "online"}]},
        ),
        422,
    )
    error(
        call(
            client,
            "PUT",
            f"/sessions/{meeting}/attendance",
            team["tokens"][0],
            {"attendance": [ok]},
        ),
        403,
    )
    error(call(client, "PUT", f"/sessions/{meeting}/attendance", None, {"attendance": [ok]}), 401)
    error(
        call(
            client,
            "PUT",
            f"/sessions/{meeting}/attendance",
            team["tokens"]["outsider"],
            {"attendance": [ok]},
        ),
        404,
    )
    error(
        call(
            client,
            "POST",
            f"/sessions/{meeting}/actions",
            chair,
            {"what": "Do it", "assignee_id": team["outsider"].id},
        ),
        422,
        "not_a_member",
    )
    assert db.query(Attendance).count() == 0
    assert db.query(ActionItem).count() == 0


@pytest.fixture
def closed(client, team, db):
    meeting = services.get_meeting(db, plan(client, team, 0, "Closed"))
    services.start(db, meeting, team["chair"])
    services.close(db, meeting, team["chair"])
    db.commit()
    return meeting.id


def _answers(client, meeting, token, choice="agree"):
    check = call(client, "GET", f"/sessions/{meeting}/check", token).get_json()
    return {str(s["id"]): choice for s in check["statements"]}


def test_the_check_is_anonymous_and_answered_once(client, team, db, closed):
    t = team["tokens"]
    body = _answers(client, closed, t[0])
    assert len(body) == 7
    for n in range(2):
        reply = call(client, "POST", f"/sessions/{closed}/check/answers", t[n], {"answers": body})
        assert reply.status_code == 204
    results = call(client, "GET", f"/groups/{team['group'].id}/checks", t["chair"]).get_json()
    session = results["sessions"][0]
    assert session["shown"] is False and session["answered"] is None
    assert all(s["counts"] is None for s in session["statements"])

    error(
        call(client, "POST", f"/sessions/{closed}/check/answers", t[0], {"answers": body}),
        409,
        "already_answered",
    )
    error(
        call(
            client,
            "POST",
            f"/sessions/{closed}/check/answers",
            t[2],
            {"answers": {k: "maybe" for k in body}},
        ),
        422,
    )
    error(
        call(
            client,
            "POST",
            f"/sessions/{closed}/check/answers",
            t[2],
            {"answers": {"999999": "agree"}},
        ),
        422,
    )
    assert db.query(CheckResponse).count() == 2

    call(
        client,
        "POST",
        f"/sessions/{closed}/check/answers",
        t[2],
        {"answers": {k: "partly" for k in body}},
    )
    results = call(client, "GET", f"/groups/{team['group'].id}/checks", t[3]).get_json()
    session = results["sessions"][0]
    assert session["answered"] == 3
    assert session["statements"][0]["counts"] == {"agree": 2, "partly": 1, "disagree": 0}
    # Nothing anywhere in the replies names who answered.
    for path in (
        f"/groups/{team['group'].id}/checks",
        f"/sessions/{closed}/check",
        f"/sessions/{closed}/minutes",
        f"/policies/{team['policy'].id}/monitoring",
    ):
        reply = call(client, "GET", path, t["chair"]).get_data(as_text=True)
        for person in team["people"][:3]:
            assert f'"user_id": {person.user_id}, "answer' not in reply
        assert "check_responses" not in reply
    assert "user_id" not in {c.name for c in StatementTally.__table__.columns}


def test_a_check_for_a_session_you_were_not_at(client, team, db, closed):
    from server.meetings import attendance

    meeting = services.get_meeting(db, closed)
    attendance.record(
        db,
        meeting,
        team["chair"].id,
        [
            {"user_id": team["people"][0].user_id, "status": "present", "mode": "online"},
            {"user_id": team["people"][1].user_id, "status": "absent"},
        ],
    )
    db.commit()
    body = _answers(client, closed, team["tokens"][0])
    error(
        call(
            client,
            "POST",
            f"/sessions/{closed}/check/answers",
            team["tokens"][1],
            {"answers": body},
        ),
        403,
        "not_at_session",
    )
    error(
        call(
            client,
            "POST",
            f"/sessions/{closed}/check/answers",
            team["tokens"]["outsider"],
            {"answers": body},
        ),
        404,
    )
    open_one = plan(client, team, 3, "Not yet")
    error(
        call(
            client,
            "POST",
            f"/sessions/{open_one}/check/answers",
            team["tokens"][0],
            {"answers": body},
        ),
        409,
        "session_not_closed",
    )
    assert db.query(CheckResponse).count() == 0


def test_ladder_participation_my_words_and_monitoring(client, team):
    t, pid = team["tokens"], team["policy"].id
    reply = call(client, "POST", f"/policies/{pid}/ladder", t[0], {"rung": "consultation"})
    assert reply.status_code == 201
    assert reply.get_json()["now"]["consultation"] == 1
    call(client, "POST", f"/policies/{pid}/ladder", t[0], {"rung": "participation"})
    ladder = call(client, "GET", f"/policies/{pid}/ladder", t[1]).get_json()
    assert ladder["now"]["participation"] == 1 and ladder["now"]["consultation"] == 0
    error(call(client, "POST", f"/policies/{pid}/ladder", t[0], {"rung": "top"}), 422)

    found = call(client, "GET", f"/policies/{pid}/participation?start=2020-01-01", t[0])
    assert found.status_code == 200
    rows = {r["role"]: r for r in found.get_json()["rows"]}
    assert rows["parent_carer"]["members"] == 4
    error(
        call(client, "GET", f"/policies/{pid}/participation?start=2026-02-01&end=2026-01-01", t[0]),
        422,
    )
    assert call(client, "GET", f"/groups/{team['group'].id}/participation", t[0]).status_code == 200
    assert call(client, "GET", f"/policies/{pid}/my-words", t[0]).get_json()["words"] == 0

    assert (
        call(client, "PUT", f"/policies/{pid}/monitoring/learning", t[0], {"text": "x"}).status_code
        == 403
    )
    assert (
        call(
            client,
            "PUT",
            f"/policies/{pid}/monitoring/learning",
            t["chair"],
            {"text": "Meet in the evening."},
        ).status_code
        == 200
    )
    record = call(client, "GET", f"/policies/{pid}/monitoring", t[0]).get_json()
    assert record["learning"] == "Meet in the evening."
    assert record["ladder"]["placed"] == 1

    # The same record as the files the page offers.
    as_csv = call(client, "GET", f"/policies/{pid}/monitoring.csv", t[1])
    assert as_csv.status_code == 200 and as_csv.mimetype == "text/csv"
    lines = as_csv.get_data(as_text=True).splitlines()
    assert lines[0] == "part,item,measure,value"
    assert "learning,,text,Meet in the evening." in lines
    assert "ladder," in "\n".join(lines)
    as_docx = call(client, "GET", f"/policies/{pid}/monitoring.docx", t[1])
    assert as_docx.status_code == 200 and as_docx.get_data()[:2] == b"PK"  # a zip: .docx
    assert f'filename="monitoring-{pid}.docx"' in as_docx.headers["Content-Disposition"]
    error(call(client, "GET", f"/policies/{pid}/monitoring.csv", t["outsider"]), 404)
    error(call(client, "GET", f"/policies/{pid}/monitoring.docx"), 401)


def test_anonymous_callers_get_401(client, team):
    for method, path in [
        ("GET", f"/policies/{team['policy'].id}/participation"),
        ("GET", f"/groups/{team['group'].id}/checks"),
        ("POST", "/sessions/1/check/answers"),
        ("GET", "/sessions/1/minutes"),
    ]:
        error(call(client, method, path, None, {} if method == "POST" else None), 401)


def test_participation_csv_matches_the_json_and_the_page(client, team):
    """The API's CSV is the page's CSV, and holds the figures the JSON reply has."""
    t, pid, gid = team["tokens"], team["policy"].id, team["group"].id
    reply = call(client, "GET", f"/policies/{pid}/participation.csv?start=2020-01-01", t[0])
    assert reply.status_code == 200 and reply.mimetype == "text/csv"
    assert f"participation-policy-{pid}.csv" in reply.headers["Content-Disposition"]
    lines = [row.split(",") for row in reply.get_data(as_text=True).splitlines()]
    found = call(client, "GET", f"/policies/{pid}/participation?start=2020-01-01", t[0]).get_json()
    metrics = lines[0][1:]
    assert lines[0][0] == "role" and sorted(metrics) == sorted(found["metrics"])
    by_label = {line[0]: line for line in lines[1:]}
    assert len(by_label) == len(found["rows"]) + 1
    for row in [*found["rows"], found["totals"]]:
        assert by_label[row["label"]][1:] == [str(row[m]) for m in metrics]
    group_csv = call(client, "GET", f"/groups/{gid}/participation.csv", t[0])
    assert group_csv.status_code == 200
    assert group_csv.get_data(as_text=True).splitlines()[0] == ",".join(lines[0])
    error(call(client, "GET", f"/policies/{pid}/participation.csv?start=nope", t[0]), 422)
    error(call(client, "GET", f"/groups/{gid}/participation.csv", t["outsider"]), 404)
    error(call(client, "GET", f"/policies/{pid}/participation.csv"), 401)
    sign_in(client, team["people"][0].user.email)
    page = client.get(f"/policies/{pid}/participation.csv?start=2020-01-01")
    assert page.get_data(as_text=True) == reply.get_data(as_text=True)


def test_a_session_as_a_calendar_file(client, team):
    import icalendar

    sid = plan(client, team, 3, "Budgets & transport")
    reply = call(client, "GET", f"/sessions/{sid}/calendar.ics", team["tokens"][1])
    assert reply.status_code == 200 and reply.mimetype == "text/calendar"
    assert f'filename="session-{sid}.ics"' in reply.headers["Content-Disposition"]
    event = icalendar.Calendar.from_ical(reply.get_data()).walk("VEVENT")[0]
    assert str(event["summary"]) == "Budgets & transport (Northshire)"
    assert str(event["url"]).endswith(f"/sessions/{sid}")
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=2)
    error(call(client, "GET", f"/sessions/{sid}/calendar.ics", team["tokens"]["outsider"]), 404)
    error(call(client, "GET", f"/sessions/{sid}/calendar.ics"), 401)


def test_at_most_twenty_statements_are_asked_however_they_come_back(client, team):
    """Adding one and bringing a retired one back both meet the same limit (bringing
    one back used to pass it, so a check could ask 21)."""
    chair, group = team["tokens"]["chair"], team["group"].id
    path = f"/groups/{group}/statements"
    first = call(client, "POST", path, chair, {"text": "I felt welcome."}).get_json()
    assert (
        call(client, "PATCH", f"/statements/{first['id']}", chair, {"active": False}).status_code
        == 200
    )
    while sum(s["active"] for s in call(client, "GET", path, chair).get_json()) < 20:
        assert call(client, "POST", path, chair, {"text": "Another."}).status_code == 201
    error(call(client, "POST", path, chair, {"text": "One too many."}), 422, "too_many")
    error(
        call(client, "PATCH", f"/statements/{first['id']}", chair, {"active": True}),
        422,
        "too_many",
    )
    listed = call(client, "GET", path, chair).get_json()
    assert sum(s["active"] for s in listed) == 20
    assert next(s for s in listed if s["id"] == first["id"])["active"] is False
