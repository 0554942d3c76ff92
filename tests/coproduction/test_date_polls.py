"""Picking the date of the next session through the API: a facilitator offers
dates, members answer yes / if need be / no, everyone sees the counts and who gave
them, members are told, and closing with a date plans the session. Bad input is
refused and nothing is saved."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server import jobs
from server.meetings.models import DateAnswer, DatePoll
from server.notifications import pending
from server.notifications.models import Notification
from tests.api.support import error
from tests.coproduction.test_api import call, team  # noqa: F401  (the fixture)


def soon(days: int, hour: int = 18) -> str:
    when = (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    return when.isoformat()


@pytest.fixture
def poll(client, team):  # noqa: F811
    reply = call(
        client,
        "POST",
        f"/groups/{team['group'].id}/date-polls",
        team["tokens"]["chair"],
        {"title": "Spring meeting", "options": [soon(9), soon(7), soon(8, 10)]},
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def test_members_answer_and_everyone_sees_counts_and_who(client, team, poll, db, app):  # noqa: F811
    t = team["tokens"]
    assert [o["starts_at"] for o in poll["options"]] == sorted(
        o["starts_at"] for o in poll["options"]
    )
    first, second, third = (o["id"] for o in poll["options"])
    assert poll["open"] and poll["answered"] == 0 and poll["members"] == 5

    mine = call(
        client,
        "PUT",
        f"/date-polls/{poll['id']}/answers/mine",
        t[0],
        {"answers": {str(first): "yes", str(second): "if_need_be", str(third): "no"}},
    )
    assert mine.status_code == 200, mine.get_json()
    assert mine.get_json()["mine"] == {
        str(first): "yes",
        str(second): "if_need_be",
        str(third): "no",
    }
    call(
        client,
        "PUT",
        f"/date-polls/{poll['id']}/answers/mine",
        t[1],
        {"answers": {str(first): "no"}},
    )
    # Answering again changes the answer; dates left out keep theirs.
    call(
        client,
        "PUT",
        f"/date-polls/{poll['id']}/answers/mine",
        t[1],
        {"answers": {str(second): "yes"}},
    )
    call(
        client,
        "PUT",
        f"/date-polls/{poll['id']}/answers/mine",
        t[1],
        {"answers": {str(first): "yes"}},
    )

    found = call(client, "GET", f"/date-polls/{poll['id']}", t[2]).get_json()
    by_id = {o["id"]: o for o in found["options"]}
    assert by_id[first]["counts"] == {"yes": 2, "if_need_be": 0, "no": 0}
    assert by_id[second]["counts"] == {"yes": 1, "if_need_be": 1, "no": 0}
    assert by_id[third]["counts"] == {"yes": 0, "if_need_be": 0, "no": 1}
    assert [p["name"] for p in by_id[first]["people"]["yes"]] == ["Member 0", "Member 1"]
    assert [p["name"] for p in by_id[second]["people"]["if_need_be"]] == ["Member 0"]
    assert found["answered"] == 2 and found["mine"] == {}
    assert found["best_option_id"] == first
    assert found["page"].endswith(f"/date-polls/{poll['id']}")
    listed = call(client, "GET", f"/groups/{team['group'].id}/date-polls", t[3]).get_json()
    assert [p["id"] for p in listed] == [poll["id"]]

    # Every member hears of it (not the facilitator who asked), with a link.
    pending.process(db, jobs.delivery_from(app.config))
    told = db.query(Notification).filter_by(kind="date_poll").all()
    assert sorted(n.user_id for n in told) == sorted(p.user.id for p in team["people"])
    assert {n.link for n in told} == {f"/date-polls/{poll['id']}"}
    assert told[0].text.startswith("Pick dates for the next session")


def test_closing_with_a_date_plans_the_session(client, team, poll):  # noqa: F811
    t = team["tokens"]
    chosen = poll["options"][1]
    error(call(client, "POST", f"/date-polls/{poll['id']}/close", t[0], {}), 403)
    closed = call(
        client, "POST", f"/date-polls/{poll['id']}/close", t["chair"], {"option_id": chosen["id"]}
    )
    assert closed.status_code == 200, closed.get_json()
    body = closed.get_json()
    assert not body["open"] and body["session_id"]
    session = call(client, "GET", f"/sessions/{body['session_id']}", t[0]).get_json()
    assert session["title"] == "Spring meeting" and session["state"] == "planned"
    assert session["starts_at"][:16] == chosen["starts_at"][:16]
    reply = call(
        client,
        "PUT",
        f"/date-polls/{poll['id']}/answers/mine",
        t[0],
        {"answers": {str(chosen["id"]): "yes"}},
    )
    assert error(reply, 409)["code"] == "poll_closed"
    error(call(client, "POST", f"/date-polls/{poll['id']}/close", t["chair"], {}), 409)


def test_bad_input_is_refused_and_nothing_saved(client, team, poll, db):  # noqa: F811
    t, gid = team["tokens"], team["group"].id
    first = poll["options"][0]["id"]
    path = f"/date-polls/{poll['id']}/answers/mine"
    for answers in (
        {str(first): "maybe"},  # not a choice
        {"999999": "yes"},  # not a date of this poll
        {str(first): "yes", "999999": "no"},  # one bad line: nothing saved
        {},
    ):
        error(call(client, "PUT", path, t[0], {"answers": answers}), 422)
    assert db.query(DateAnswer).count() == 0
    polls = db.query(DatePoll).count()
    for options in (
        [],
        [soon(-1)],
        [soon(3), soon(3)],
        ["not a date"],
        [soon(1, hour) for hour in range(21)],
    ):
        error(
            call(client, "POST", f"/groups/{gid}/date-polls", t["chair"], {"options": options}), 422
        )
    error(call(client, "POST", f"/groups/{gid}/date-polls", t[0], {"options": [soon(3)]}), 403)
    assert db.query(DatePoll).count() == polls
    error(
        call(client, "POST", f"/date-polls/{poll['id']}/close", t["chair"], {"option_id": 999999}),
        422,
    )
    # Outside the group the poll does not exist.
    error(call(client, "GET", f"/date-polls/{poll['id']}", t["outsider"]), 404)
    error(call(client, "PUT", path, t["outsider"], {"answers": {str(first): "yes"}}), 404)
    error(call(client, "GET", f"/date-polls/{poll['id']}"), 401)
    error(call(client, "DELETE", f"/date-polls/{poll['id']}", t[0]), 403)
    assert call(client, "DELETE", f"/date-polls/{poll['id']}", t["chair"]).status_code == 204
    error(call(client, "GET", f"/date-polls/{poll['id']}", t[0]), 404)
