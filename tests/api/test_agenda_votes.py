"""The agenda lists open votes once, as a view (issue 11): 300 open votes make no
agenda rows, whoever reads the agenda, the session page, the pack or the minutes;
each vote appears once, and every page of it is bounded."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from server.meetings.models import AgendaItem
from server.policies.models import Section
from server.review.models import CloseMode, Vote, VoteSubject
from tests.api.review_support import make_place
from tests.conftest import sign_in

OPEN_VOTES = 300


def open_votes(db, world, section_id: int, n: int) -> list[int]:
    """n open agreement votes on one section, straight into the database (arranging
    only: everything checked below goes through HTTP)."""
    section = db.get(Section, section_id)
    rows = [
        Vote(
            group_id=world.group,
            policy_id=section.policy_id,
            section_id=section.id,
            subject=VoteSubject.AGREEMENT,
            snapshot=[{"id": 1, "text": f"Version {k} of the text."}],
            quorum_percent=50,
            threshold_percent=50,
            close_mode=CloseMode.DATE,
            secret=False,
        )
        for k in range(n)
    ]
    db.add_all(rows)
    db.commit()
    return [v.id for v in rows]


def agenda_rows(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(AgendaItem))


def test_three_hundred_open_votes_are_listed_once_and_nothing_is_written(api, world, db, client):
    place = make_place(api, world)
    ids = open_votes(db, world, place.section, OPEN_VOTES)
    planned = []
    for n in range(2):
        reply = api.post(
            f"/groups/{world.group}/sessions",
            world.fac,
            {"title": f"Session {n}", "starts_at": "2030-03-04T18:30:00Z"},
        )
        assert reply.status_code == 201
        planned.append(reply.get_json()["id"])
    assert agenda_rows(db) == 0  # planning copies nothing
    mid = planned[0]
    api.post(f"/sessions/{mid}/agenda", world.fac, {"title": "Welcome"})
    assert agenda_rows(db) == 1

    seen = []
    first = api.get(f"/sessions/{mid}/agenda", world.mem).get_json()
    assert first["votes_total"] == OPEN_VOTES and first["pages"] == 3
    assert first["message"] == "Showing votes 1 to 100 of 300. There are 3 pages of votes."
    assert [i["title"] for i in first["items"]] == ["Welcome"]
    for page in range(1, first["pages"] + 1):
        got = api.get(f"/sessions/{mid}/agenda?page={page}", world.mem).get_json()
        assert len(got["votes"]) <= 100
        seen += [v["vote_id"] for v in got["votes"]]
        assert all(v["key"] == f"vote:{v['vote_id']}" and v["kind"] == "vote" for v in got["votes"])
    assert sorted(seen) == sorted(ids) and len(seen) == len(set(seen))
    past = api.get(f"/sessions/{mid}/agenda?page=99", world.mem).get_json()
    assert past["page"] == 3 and len(past["votes"]) == 100

    # The page, its live fragment, the pack and the minutes: bounded, and they write nothing.
    sign_in(client, "hana@example.org")
    page = client.get(f"/sessions/{mid}").get_data(as_text=True)
    assert len(re.findall(r'id="vote-\d+"', page)) == 100
    assert "Showing votes 1 to 100 of 300." in page and "Show more: page 2" in page
    page3 = client.get(f"/sessions/{mid}?votes=3").get_data(as_text=True)
    assert f'id="vote-{ids[-1]}"' in page3 and "Page 3 of 3." in page3
    assert client.get(f"/sessions/{mid}/live?votes=2").status_code == 200
    pack = api.get(f"/sessions/{mid}/pack", world.mem).get_data(as_text=True)
    assert "This pack shows the first 100 of 301 agenda items." in pack
    assert api.get(f"/sessions/{mid}/minutes", world.mem).status_code == 200
    assert api.get(f"/sessions/{planned[1]}/agenda", world.mem).get_json()["votes_total"] == 300
    assert agenda_rows(db) == 1


def test_a_closed_sessions_agenda_lists_what_it_decided_not_what_is_open(api, world, db):
    place = make_place(api, world)
    s = api.post(
        f"/groups/{world.group}/sessions",
        world.fac,
        {"title": "March", "starts_at": "2030-03-04T18:30:00Z"},
    ).get_json()
    api.post(f"/sessions/{s['id']}/start", world.fac)
    asked = api.post(f"/sections/{place.section}/ready", world.ed, {})
    assert asked.status_code == 201, asked.get_json()
    vote_id = asked.get_json()["id"]
    assert api.post(f"/votes/{vote_id}/close", world.fac).status_code == 200
    open_votes(db, world, place.section, 2)  # opened later: not this session's business
    api.post(f"/sessions/{s['id']}/close", world.fac)
    got = api.get(f"/sessions/{s['id']}/agenda", world.mem).get_json()
    assert [v["vote_id"] for v in got["votes"]] == [vote_id]
    assert got["votes"][0]["open"] is False and got["votes"][0]["outcome"]
    noted = api.call(
        "PUT",
        f"/sessions/{s['id']}/notes",
        world.fac,
        json={"item": f"vote:{vote_id}", "text": "Agreed."},
    )
    assert noted.status_code == 200
    assert [n["title"] for n in noted.get_json()] == ["Agree the section “What is it?”"]
    assert agenda_rows(db) == 0
