"""Completing a session through the pages: attendance, notes on each agenda item,
actions (shown on later sessions until done), a vote's reason, and the minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.meetings import services
from server.meetings.models import ActionItem, Attendance, ItemNote
from server.review import votes
from tests.conftest import sign_in
from tests.web.conftest import post, text


def plan(db, world, days: int, title: str):
    meeting = services.schedule(
        db,
        world.group,
        world.facilitator,
        title=title,
        starts_at=datetime.now(UTC) + timedelta(days=days),
    )
    db.commit()
    return meeting


def test_attendance_notes_and_actions_through_the_pages(as_facilitator, world, db, make):
    make.member(world.group, make.user("Priya Staff", "priya@example.org"), "education")
    first = plan(db, world, 1, "First session")
    item = services.get_meeting(db, first.id)
    from server.meetings import agenda

    added = agenda.add(db, item, "Welcome", "")
    db.commit()

    page = as_facilitator.get(f"/sessions/{first.id}/record")
    assert page.status_code == 200
    assert "Sam Parent" in text(page)

    reply = post(
        as_facilitator,
        f"/sessions/{first.id}/record",
        {
            f"status-{world.member.id}": "present",
            f"mode-{world.member.id}": "online",
            f"status-{world.facilitator.id}": "present",
            f"mode-{world.facilitator.id}": "in_person",
        },
    )
    assert reply.status_code == 302
    rows = {a.user_id: a for a in db.query(Attendance).all()}
    assert rows[world.member.id].status == "present" and rows[world.member.id].mode == "online"

    reply = post(
        as_facilitator, f"/sessions/{first.id}/record", {f"note-item:{added.id}": "We said hello."}
    )
    assert reply.status_code == 302
    assert db.query(ItemNote).one().text == "We said hello."

    reply = post(
        as_facilitator,
        f"/sessions/{first.id}/actions",
        {
            "what": "Ask the school about transport",
            "assignee_id": str(world.member.id),
            "due_on": "2030-01-31",
        },
    )
    assert reply.status_code == 302
    action = db.query(ActionItem).one()
    assert action.assignee_id == world.member.id

    page = text(as_facilitator.get(f"/sessions/{first.id}"))
    # Priya's attendance was not recorded: said, not left out of the count.
    assert "1 in person, 1 online, 0 sent apologies, 0 absent; 1 not recorded." in page
    assert "We said hello." in page
    assert "Ask the school about transport" in page
    assert "by 31 January 2030" in page  # in words, as every date on the pages

    # The next session shows the open action until it is marked done.
    second = plan(db, world, 8, "Second session")
    assert "Ask the school about transport" in text(as_facilitator.get(f"/sessions/{second.id}"))
    reply = post(as_facilitator, f"/actions/{action.id}/done", {"done": "1"})
    assert reply.status_code == 302
    db.expire_all()
    assert db.get(ActionItem, action.id).done_at is not None
    later = text(as_facilitator.get(f"/sessions/{second.id}"))
    assert "Ask the school about transport" not in later
    assert "No actions from earlier sessions are waiting." in later


def test_attendance_for_someone_outside_the_group_saves_nothing(as_facilitator, world, db):
    meeting = plan(db, world, 1, "A session")
    reply = post(
        as_facilitator,
        f"/sessions/{meeting.id}/record",
        {f"status-{world.member.id}": "present", f"status-{world.outsider.id}": "present"},
    )
    assert reply.status_code == 422
    assert "only be recorded for members of this group" in text(reply)
    assert db.query(Attendance).count() == 0


def test_members_cannot_record_but_can_mark_their_own_action(client, world, db):
    meeting = plan(db, world, 1, "A session")
    from server.meetings import actions

    mine = actions.add(
        db, meeting, world.facilitator.id, what="Read the draft", assignee_id=world.member.id
    )
    theirs = actions.add(
        db, meeting, world.facilitator.id, what="Book a room", assignee_id=world.facilitator.id
    )
    db.commit()
    sign_in(client, world.member.email)
    assert client.get(f"/sessions/{meeting.id}/record").status_code == 403
    post(client, f"/actions/{theirs.id}/done", {"done": "1"})
    post(client, f"/actions/{mine.id}/done", {"done": "1"})
    db.expire_all()
    assert db.get(ActionItem, theirs.id).done_at is None
    assert db.get(ActionItem, mine.id).done_at is not None


def test_a_vote_reason_is_shown_with_the_result_unless_secret(as_member, world, db):
    from server.review import proposals

    first = plan(db, world, 0, "Decision session")
    services.start(db, first, world.facilitator)
    db.commit()
    sentence = world.section.id
    proposal = proposals.create(
        db,
        world.section,
        world.member_ship,
        kind="replace",
        reason="Plainer words",
        text="It is money you can use for support.",
        sentence_ids=[_first_sentence(db, sentence)],
    )
    vote = votes.open_for_proposal(db, proposal, world.member_ship, world.member)
    db.commit()
    reply = post(
        as_member,
        f"/votes/{vote.id}/ballot",
        {"choice": "approve", "reason": "Families asked for this."},
    )
    assert reply.status_code == 302
    votes.close(db, votes.get_vote(db, vote.id), world.facilitator)
    services.close(db, services.get_meeting(db, first.id), world.facilitator)
    db.commit()
    page = text(as_member.get(f"/sessions/{first.id}"))
    assert "Families asked for this." in page


def _first_sentence(db, section_id):
    from server.policies.services import sentences_of

    return sentences_of(db, [section_id])[section_id][0].id


def test_a_planned_session_as_a_calendar_file(as_member, world, db):
    from icalendar import Calendar

    meeting = plan(db, world, 3, "April session")
    page = text(as_member.get(f"/sessions/{meeting.id}"))
    assert f"/sessions/{meeting.id}/calendar.ics" in page
    reply = as_member.get(f"/sessions/{meeting.id}/calendar.ics")
    assert reply.status_code == 200 and reply.mimetype == "text/calendar"
    event = Calendar.from_ical(reply.data).walk("VEVENT")[0]
    assert str(event["summary"]) == "April session (Northshire group)"
    assert abs((event["dtstart"].dt - meeting.starts_at).total_seconds()) < 1
    assert f"/sessions/{meeting.id}" in str(event["url"])
