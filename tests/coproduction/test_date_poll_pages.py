"""The date-poll pages without a browser: bad input is shown next to the form and
nothing is saved; members answer; only facilitators ask and close; a poll is not
found outside its group."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.meetings.models import DateAnswer, DatePoll, Meeting
from tests.conftest import sign_in
from tests.web.conftest import post, text


def local(days: int, hour: int = 18) -> str:
    return (
        (datetime.now() + timedelta(days=days))
        .replace(hour=hour, minute=0)
        .strftime("%Y-%m-%dT%H:%M")
    )


def test_asking_answering_and_closing_through_the_pages(app, client, as_facilitator, world, db):
    gid = world.group.id
    for form in (
        {"date-1": local(-2)},  # in the past
        {"date-1": "next Tuesday"},  # not a date
        {"date-1": local(3), "date-2": local(3)},  # twice
        {},  # none
    ):
        reply = post(client, f"/groups/{gid}/date-polls", {"title": "Spring", **form})
        assert reply.status_code == 422, form
        assert "There is a problem" in text(reply)
    # The box at fault is named and marked by its own number, whatever boxes were
    # left empty before it.
    reply = text(post(client, f"/groups/{gid}/date-polls", {"date-2": local(4), "date-4": "soon"}))
    assert '<a href="#date-4">Date 4 needs a day and a time.</a>' in reply
    assert 'id="date-4" name="date-4" aria-describedby="dates-hint date-4-error" aria-invalid' in (
        reply
    )
    assert db.query(DatePoll).count() == 0

    reply = post(
        client,
        f"/groups/{gid}/date-polls",
        {"title": "Spring", "date-1": local(5), "date-3": local(6)},
    )
    assert reply.status_code == 302
    poll = db.query(DatePoll).one()
    first, second = (o.id for o in poll.options)

    chair, client = client, app.test_client()  # each person their own browser
    sign_in(client, world.member.email)
    assert post(client, f"/groups/{gid}/date-polls", {"date-1": local(5)}).status_code == 403
    nothing = post(client, f"/date-polls/{poll.id}/answers", {})
    assert nothing.status_code == 422 and "Answer for at least one date." in text(nothing)
    bad = post(client, f"/date-polls/{poll.id}/answers", {f"option-{first}": "maybe"})
    assert bad.status_code == 422
    assert db.query(DateAnswer).count() == 0
    ok = post(
        client,
        f"/date-polls/{poll.id}/answers",
        {f"option-{first}": "yes", f"option-{second}": "no"},
    )
    assert ok.status_code == 302
    page = text(client.get(f"/date-polls/{poll.id}"))
    assert "Sam Parent" in page and "1 of 2 members has answered." in page
    assert (
        post(client, f"/date-polls/{poll.id}/close", {"option_id": str(first)}).status_code == 403
    )

    outsider = app.test_client()
    sign_in(outsider, world.outsider.email)
    assert outsider.get(f"/date-polls/{poll.id}").status_code == 404

    closed = post(chair, f"/date-polls/{poll.id}/close", {"option_id": str(first)})
    assert closed.status_code == 302
    db.expire_all()
    meeting = db.get(Meeting, db.get(DatePoll, poll.id).meeting_id)
    assert meeting.title == "Spring" and closed.headers["Location"].endswith(
        f"/sessions/{meeting.id}"
    )
