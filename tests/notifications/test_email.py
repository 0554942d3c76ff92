"""Each kind of notification reaches the right people once, through a real SMTP
server, with a link that opens the place and a one-click unsubscribe that works."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from server.notifications.models import Notification, OutboxMail
from tests.conftest import sign_in
from tests.notifications.conftest import BASE_URL, link_path, run_jobs, unsubscribe_path


def all_at_once(world, *, except_for=None, kind=None):
    """Everyone wants every kind at once; `except_for` turned `kind` off."""
    from server.notifications.kinds import KINDS

    for p in world.everyone + [world.outsider]:
        choices = dict.fromkeys(KINDS, "now")
        if p is except_for:
            choices[kind] = "off"
        p.api.ok(p.api.patch("/notifications/email", {"choices": choices}))


def received(inbox, world, kind_words: str) -> dict[str, int]:
    """How many emails whose subject has `kind_words` each person got."""
    people = [*world.everyone, world.outsider]
    return {p.name: sum(kind_words in m["Subject"] for m in inbox.to(p.email)) for p in people}


def only(names, world) -> dict[str, int]:
    return {p.name: (1 if p.name in names else 0) for p in [*world.everyone, world.outsider]}


def test_a_mention_reaches_the_member_once_not_outsiders_nor_who_turned_it_off(
    app, world, inbox, client, db
):
    ann, bo, cy = world.members
    all_at_once(world, except_for=bo, kind="mention")
    world.writer.api.ok(
        world.writer.api.post(
            f"/sections/{world.section.id}/comments",
            {"body": "What do you think, @Ann Parent, @Bo Young and @Olly Outsider?"},
        ),
        201,
    )
    run_jobs(app)
    run_jobs(app)  # a second run sends nothing again
    assert received(inbox, world, "mentioned you") == only({"Ann Parent"}, world)

    msg = inbox.to(ann.email)[0]
    assert msg.get_body(("html",)) is not None and msg.get_body(("plain",)) is not None
    path = link_path(msg)
    assert path.startswith(f"/sections/{world.section.id}#comment-")
    sign_in(client, ann.email)
    assert client.get(path.split("#")[0]).status_code == 200
    # Bo still sees it in the pages; only the email was off.
    assert bo.api.ok(bo.api.get("/notifications"))["unread"] == 1


def test_replies_suggestions_votes_and_results_reach_the_right_people(app, world, inbox, db):
    ann, bo, cy = world.members
    all_at_once(world)
    thread = world.writer.api.ok(
        world.writer.api.post(f"/sections/{world.section.id}/comments", {"body": "A start."})
    )
    bo.api.ok(bo.api.post(f"/comments/{thread['id']}/replies", {"body": "Me too."}))
    ann.api.ok(ann.api.post(f"/comments/{thread['id']}/replies", {"body": "And me."}))
    run_jobs(app)
    # The writer and Bo were in the thread before Ann replied; Ann is never told of her own.
    assert received(inbox, world, "replied") == {
        **only({"Wren Writer", "Bo Young"}, world),
        "Wren Writer": 2,  # Bo's reply and Ann's
    }

    proposal = cy.api.ok(
        cy.api.post(
            f"/sections/{world.section.id}/proposals",
            {"kind": "rewrite", "reason": "Clearer.", "text": "The council pays every month."},
        )
    )
    run_jobs(app)
    assert received(inbox, world, "suggested a change") == only({"Wren Writer"}, world)

    vote = cy.api.ok(cy.api.post(f"/proposals/{proposal['id']}/vote"))
    run_jobs(app)
    assert received(inbox, world, "vote has opened") == only(
        {"Fran Facilitator", "Wren Writer", "Ann Parent", "Bo Young"}, world
    )
    assert link_path(inbox.to(ann.email)[-1]) == f"/votes/{vote['id']}"

    # A vote closing within a day reminds those who have not voted, once.
    ann.api.ok(ann.api.post(f"/votes/{vote['id']}/ballots", {"choice": "approve"}))
    later = datetime.now(UTC) + timedelta(days=6, hours=12)
    run_jobs(app, later)
    run_jobs(app, later + timedelta(minutes=10))
    assert received(inbox, world, "you have not voted") == only(
        {"Fran Facilitator", "Wren Writer", "Bo Young", "Cy Nurse"}, world
    )
    # Given three more days, they are reminded again the day before the new time, once.
    closes = datetime.fromisoformat(vote["closes_at"]) + timedelta(days=3)
    world.facilitator.api.ok(
        world.facilitator.api.patch(f"/votes/{vote['id']}", {"closes_at": closes.isoformat()})
    )
    run_jobs(app, later + timedelta(hours=1))  # the new time is days away
    run_jobs(app, closes - timedelta(hours=12))
    run_jobs(app, closes - timedelta(hours=11))
    assert received(inbox, world, "you have not voted") == {
        name: 2 * n
        for name, n in only(
            {"Fran Facilitator", "Wren Writer", "Bo Young", "Cy Nurse"}, world
        ).items()
    }

    world.facilitator.api.ok(world.facilitator.api.post(f"/votes/{vote['id']}/close"))
    run_jobs(app)
    assert received(inbox, world, "has closed") == only(
        {"Wren Writer", "Ann Parent", "Bo Young", "Cy Nurse"}, world
    )
    assert received(inbox, world, "Your suggestion") == only({"Cy Nurse"}, world)


def test_section_ready_and_sessions_reach_the_group(app, world, inbox, db, client):
    all_at_once(world)
    world.writer.api.ok(world.writer.api.post(f"/sections/{world.section.id}/ready"), 201)
    run_jobs(app)
    assert received(inbox, world, "ready for the group to agree") == only(
        {"Fran Facilitator", "Ann Parent", "Bo Young", "Cy Nurse"}, world
    )

    starts = datetime.now(UTC) + timedelta(days=3)
    session = world.facilitator.api.ok(
        world.facilitator.api.post(
            f"/groups/{world.group.id}/sessions",
            {"title": "Spring meeting", "starts_at": starts.isoformat()},
        )
    )
    run_jobs(app)
    planned = received(inbox, world, "was planned")
    assert planned == only({"Wren Writer", "Ann Parent", "Bo Young", "Cy Nurse"}, world)
    body = inbox.to(world.members[0].email)[-1].get_body(("plain",)).get_content()
    assert "Review what changed:" in body and "since the last session" in body
    assert link_path(inbox.to(world.members[0].email)[-1]) == f"/sessions/{session['id']}"
    # Its agenda and details change in the hour after: nobody is told again (planning
    # a session used to send three notices within a minute).
    fac = world.facilitator.api
    fac.ok(fac.post(f"/sessions/{session['id']}/agenda", {"title": "Tea"}), 201)
    fac.ok(fac.patch(f"/sessions/{session['id']}", {"place": "Room 2"}))
    run_jobs(app)
    assert received(inbox, world, "has changed") == only(set(), world)

    # The day before: each member's own count and the votes they have not cast.
    day_before = starts - timedelta(hours=20)
    run_jobs(app, day_before)
    run_jobs(app, day_before + timedelta(hours=1))
    soon = received(inbox, world, f"is on {starts.astimezone().strftime('%A')}")
    assert soon == only(
        {"Fran Facilitator", "Wren Writer", "Ann Parent", "Bo Young", "Cy Nurse"}, world
    )
    text = inbox.to(world.members[1].email)[-1].get_body(("plain",)).get_content()
    # The votes not cast are named, each with a link to its page (not only a count).
    assert "You have not voted in 1 open vote: the vote on agreeing “Personal budgets”" in text
    vote_link = re.search(r"- The vote on agreeing “Personal budgets”.*?:\s+(http\S+)", text)
    assert vote_link, text
    vote_path = vote_link.group(1).removeprefix(BASE_URL)
    assert vote_path.startswith("/votes/")
    html = inbox.to(world.members[1].email)[-1].get_body(("html",)).get_content()
    assert f'href="{BASE_URL}{vote_path}"' in html
    listed = world.members[1].api.ok(world.members[1].api.get("/notifications"))["items"]
    soon_note = next(n for n in listed if n["kind"] == "session_soon")
    assert [i["link"] for i in soon_note["items"]] == [vote_path]
    assert world.members[1].api.get(vote_path).status_code == 200  # the same vote in the API
    # The page lists the same vote as a link under the notification.
    sign_in(client, world.members[1].email)
    page = client.get("/notifications").get_data(as_text=True)
    assert f'<a href="{vote_path}">The vote on agreeing' in page


def test_an_action_reaches_its_member_and_a_closed_session_the_group(app, world, inbox, client):
    """What a session leaves behind needs people too: the member given an action is
    told it is theirs, and when the session closes everyone can read its record."""
    all_at_once(world)
    fac, (ann, bo, _cy) = world.facilitator, world.members
    session = fac.api.ok(
        fac.api.post(
            f"/groups/{world.group.id}/sessions",
            {"title": "Spring meeting", "starts_at": datetime.now(UTC).isoformat()},
        )
    )
    fac.api.ok(fac.api.post(f"/sessions/{session['id']}/start"))
    run_jobs(app)
    inbox.clear()
    action = fac.api.ok(
        fac.api.post(
            f"/sessions/{session['id']}/actions",
            {"what": "Ask the school about transport", "assignee_id": ann.user.id,
             "due_on": "2030-01-31"},
        ),
        201,
    )  # fmt: skip
    fac.api.ok(
        fac.api.post(f"/sessions/{session['id']}/actions", {"what": "Book a room"}), 201
    )  # given to nobody: nobody is told
    run_jobs(app)
    assert received(inbox, world, "You have an action") == only({"Ann Parent"}, world)
    msg = inbox.to(ann.email)[0]
    assert (
        "You have an action from the session “Spring meeting”: Ask the school about "
        "transport by 31 January 2030." in msg.get_body(("plain",)).get_content()
    )
    assert link_path(msg) == f"/sessions/{session['id']}#action-{action['id']}"
    sign_in(client, ann.email)
    page = client.get(f"/sessions/{session['id']}").get_data(as_text=True)
    assert f'id="action-{action["id"]}"' in page

    fac.api.ok(fac.api.post(f"/sessions/{session['id']}/close"))
    run_jobs(app)
    run_jobs(app)  # told once
    assert received(inbox, world, "has closed") == only(
        {"Wren Writer", "Ann Parent", "Bo Young", "Cy Nurse"}, world
    )
    assert link_path(inbox.to(bo.email)[-1]) == f"/sessions/{session['id']}#record"
    kinds = [n["kind"] for n in bo.api.ok(bo.api.get("/notifications"))["items"]]
    assert "action" not in kinds and kinds.count("session") >= 1


def test_one_click_unsubscribe_turns_that_kind_off_and_a_forged_link_changes_nothing(
    app, world, inbox, client, db
):
    ann = world.members[0]
    all_at_once(world)
    world.writer.api.ok(
        world.writer.api.post(f"/sections/{world.section.id}/comments", {"body": "Hi @Ann Parent"})
    )
    run_jobs(app)
    msg = inbox.to(ann.email)[0]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(msg)

    forged = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    page = client.post(forged, data={"List-Unsubscribe": "One-Click"})
    assert page.status_code == 400 and "Nothing was changed" in page.get_data(as_text=True)
    assert ann.api.ok(ann.api.get("/notifications/email"))["choices"]["mention"] == "now"

    assert client.get(path).status_code == 200  # shows a button; changes nothing
    assert ann.api.ok(ann.api.get("/notifications/email"))["choices"]["mention"] == "now"
    done = client.post(path, data={"List-Unsubscribe": "One-Click"})  # what mail programs send
    assert done.status_code == 200 and "Emails stopped" in done.get_data(as_text=True)
    assert ann.api.ok(ann.api.get("/notifications/email"))["choices"]["mention"] == "off"

    inbox.clear()
    world.writer.api.ok(
        world.writer.api.post(f"/sections/{world.section.id}/comments", {"body": "@Ann Parent?"})
    )
    run_jobs(app)
    assert inbox.to(ann.email) == []


def test_an_expired_unsubscribe_link_says_so_and_changes_nothing(app, world, client, db):
    from itsdangerous import URLSafeTimedSerializer

    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="codraft-unsubscribe")
    token = old.dumps({"u": world.members[0].user.id, "k": "mention"})
    import time

    real = time.time
    try:
        time.time = lambda: real() + 200 * 86400
        page = client.post(f"/unsubscribe/{token}")
    finally:
        time.time = real
    assert page.status_code == 410 and "too old" in page.get_data(as_text=True)
    assert db.get(type(world.members[0].user), world.members[0].user.id) is not None
    api = world.members[0].api
    assert api.ok(api.get("/notifications/email"))["choices"]["mention"] == "now"


def test_the_daily_digest_gathers_what_members_chose_to_get_daily(app, world, inbox, db):
    ann = world.members[0]
    ann.api.ok(ann.api.patch("/notifications/email", {"choices": {"mention": "digest"}}))
    for words in ("One @Ann Parent", "Two @Ann Parent"):
        world.writer.api.ok(
            world.writer.api.post(f"/sections/{world.section.id}/comments", {"body": words})
        )
    # Tomorrow, so that both moments come after the comments whatever the time now
    # (today's 19:00 is before comments written at 19:20, and the test failed then).
    morning = (datetime.now(UTC) + timedelta(days=1)).replace(hour=6, minute=0)
    run_jobs(app, morning)
    assert inbox.to(ann.email) == []  # not before the digest hour (17:00 London)
    evening = morning.replace(hour=19)
    run_jobs(app, evening)
    run_jobs(app, evening + timedelta(minutes=30))
    mails = inbox.to(ann.email)
    assert len(mails) == 1 and "2 things" in mails[0]["Subject"]
    assert mails[0]["List-Unsubscribe"]
    assert db.query(Notification).filter_by(user_id=ann.user.id, mailed_at=None).count() == 0


def test_with_email_off_nothing_is_recorded_and_the_pages_say_so(make, client, db, app):
    app.config["MAIL"] = None
    user = make.user("Dee")
    sign_in(client, user.email)
    page = client.get("/notifications/settings").get_data(as_text=True)
    assert "Email is off on this server" in page
    assert db.query(OutboxMail).count() == 0
