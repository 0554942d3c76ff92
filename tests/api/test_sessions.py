"""The sessions API: plan, start and close sessions, the agenda, each member's
review with marks, progress (no votes in it) and the session pack."""

from __future__ import annotations

import io

import pytest
from diff_match_patch import diff_match_patch
from pypdf import PdfReader

from server.accounts.models import User
from server.editing import services as editing
from server.policies.models import Section
from server.policies.services import sentences_of
from tests.api.review_support import make_place
from tests.api.support import error

dmp = diff_match_patch()
WHEN = "2030-03-04T18:30:00Z"


def edit(db, section_id: int, user_id: int, index: int, new_text: str) -> int:
    """Change a sentence as a live edit does, and commit."""
    section = db.get(Section, section_id)
    row = sentences_of(db, [section_id])[section_id][index]
    editing.edit_text(
        db,
        section,
        row,
        db.get(User, user_id),
        row.version,
        dmp.patch_toText(dmp.patch_make(row.text, new_text)),
    )
    db.commit()
    return row.id


@pytest.fixture
def place(api, world):
    return make_place(api, world)


def plan(api, world, title="March session") -> dict:
    reply = api.post(
        f"/groups/{world.group}/sessions",
        world.fac,
        {
            "title": title,
            "starts_at": WHEN,
            "place": "Town hall, room 2",
            "notes": "Bring the draft.",
        },
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def review(api, world, token=None) -> dict:
    reply = api.get(f"/groups/{world.group}/review", token or world.mem)
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()


def keys_of(body: dict, kind: str | None = None) -> set[str]:
    return {
        i["key"] for p in body["policies"] for i in p["items"] if kind is None or i["kind"] == kind
    }


def test_plan_edit_start_and_close_a_session(api, world, place):
    s = plan(api, world)
    assert s["state"] == "planned" and s["place"] == "Town hall, room 2"
    assert s["starts_at"].startswith("2030-03-04T18:30") and s["page"].endswith(
        f"/sessions/{s['id']}"
    )
    listed = api.get(f"/groups/{world.group}/sessions", world.mem).get_json()
    assert [x["id"] for x in listed] == [s["id"]]
    changed = api.patch(f"/sessions/{s['id']}", world.fac, {"title": "April session"})
    assert changed.status_code == 200 and changed.get_json()["title"] == "April session"

    started = api.post(f"/sessions/{s['id']}/start", world.fac)
    assert started.status_code == 200 and started.get_json()["state"] == "running"
    error(api.post(f"/sessions/{s['id']}/start", world.fac), 409, "session_started")
    other = plan(api, world, "Another")
    error(api.post(f"/sessions/{other['id']}/start", world.fac), 409, "session_running")
    assert api.get(f"/sessions/{other['id']}", world.fac).get_json()["state"] == "planned"

    closed = api.post(f"/sessions/{s['id']}/close", world.fac).get_json()
    assert closed["state"] == "closed"
    assert closed["minutes"] == {"decisions": [], "agreed_sections": []}
    error(api.post(f"/sessions/{s['id']}/close", world.fac), 409, "session_closed")
    error(api.post(f"/sessions/{other['id']}/close", world.fac), 409, "session_not_started")
    error(
        api.patch(f"/sessions/{s['id']}", world.fac, {"starts_at": "2031-01-01T10:00:00Z"}),
        409,
        "session_closed",
    )


def test_a_planned_session_can_be_cancelled_and_members_are_told(api, world, app):
    """A session that will not happen is cancelled (it stayed "Next session" on every
    review page before): it goes with its agenda, and the group hears of it. One that
    has started, or has something recorded, is kept."""
    s = plan(api, world)
    assert api.post(f"/sessions/{s['id']}/agenda", world.fac, {"title": "Tea"}).status_code == 201
    error(api.delete(f"/sessions/{s['id']}", world.mem), 403)
    error(api.delete(f"/sessions/{s['id']}", world.other), 404)
    assert api.delete(f"/sessions/{s['id']}", world.fac).status_code == 204
    error(api.get(f"/sessions/{s['id']}", world.mem), 404)
    error(api.delete(f"/sessions/{s['id']}", world.fac), 404)
    assert api.get(f"/groups/{world.group}/sessions", world.mem).get_json() == []

    from server import jobs
    from server.notifications import pending

    jobs.configure(app.config)
    pending.process(app.extensions["codraft_db"].session, jobs.delivery_from(app.config))
    told = api.get("/notifications", world.mem).get_json()["items"]
    assert [n["text"] for n in told if n["kind"] == "session"][0] == (
        "The session “March session” on Monday 4 March at 18:30 is cancelled."
    )
    assert told[0]["link"] == f"/groups/{world.group}/sessions"
    mine = api.get("/notifications", world.fac).get_json()["items"]
    assert not [n for n in mine if "cancelled" in n["text"]]  # who cancelled it knows

    started = plan(api, world, "Started")
    api.post(f"/sessions/{started['id']}/start", world.fac)
    error(api.delete(f"/sessions/{started['id']}", world.fac), 409, "session_started")
    kept = plan(api, world, "With an action")
    made = api.post(f"/sessions/{kept['id']}/actions", world.fac, {"what": "Book a room"})
    assert made.status_code == 201
    error(api.delete(f"/sessions/{kept['id']}", world.fac), 409, "session_has_record")
    assert api.get(f"/sessions/{kept['id']}", world.fac).status_code == 200


def test_bad_session_input_is_refused(api, world):
    error(api.post(f"/groups/{world.group}/sessions", world.fac, {"title": "No time"}), 422)
    error(
        api.post(f"/groups/{world.group}/sessions", world.fac, {"title": "  ", "starts_at": WHEN}),
        422,
    )
    assert api.get(f"/groups/{world.group}/sessions", world.fac).get_json() == []


def test_members_read_but_only_facilitators_manage_and_outsiders_see_nothing(api, world):
    s = plan(api, world)
    assert api.get(f"/sessions/{s['id']}", world.mem).status_code == 200
    error(
        api.post(
            f"/groups/{world.group}/sessions", world.mem, {"title": "Mine", "starts_at": WHEN}
        ),
        403,
    )
    error(api.patch(f"/sessions/{s['id']}", world.mem, {"title": "x"}), 403)
    error(api.post(f"/sessions/{s['id']}/start", world.mem), 403)
    error(api.post(f"/sessions/{s['id']}/close", world.mem), 403)
    error(api.post(f"/sessions/{s['id']}/agenda", world.mem, {"title": "x"}), 403)
    error(api.get(f"/groups/{world.group}/review/progress", world.mem), 403)
    for path in (
        f"/sessions/{s['id']}",
        f"/sessions/{s['id']}/agenda",
        f"/sessions/{s['id']}/pack",
        f"/sessions/{s['id']}/pack.pdf",
        f"/groups/{world.group}/sessions",
        f"/groups/{world.group}/review",
        f"/groups/{world.group}/review/progress",
    ):
        error(api.get(path, world.other), 404)
    error(api.post(f"/sessions/{s['id']}/start", world.other), 404)
    error(api.post(f"/groups/{world.group}/review/marks", world.other, {"keys": ["vote:1"]}), 404)
    assert api.get(f"/sessions/{s['id']}").status_code == 401


def test_the_agenda_lists_open_votes_and_the_facilitators_items(api, world, place):
    proposal = api.post(
        f"/sections/{place.section}/proposals",
        world.mem,
        {
            "kind": "replace",
            "reason": "Plainer words",
            "text": "The council pays it each month.",
            "sentence_ids": [place.sentences[1]],
        },
    ).get_json()
    vote = api.post(f"/proposals/{proposal['id']}/vote", world.mem, {}).get_json()
    s = plan(api, world)
    got = api.get(f"/sessions/{s['id']}/agenda", world.mem).get_json()
    assert got["items"] == [] and got["votes_total"] == 1 and got["message"] is None
    assert (got["page"], got["pages"]) == (1, 1)
    [entry] = got["votes"]
    assert entry["key"] == f"vote:{vote['id']}" and entry["kind"] == "vote"
    assert entry["vote_id"] == vote["id"] and entry["open"] is True
    assert "What is it?" in entry["title"]

    added = api.post(
        f"/sessions/{s['id']}/agenda", world.fac, {"title": "Welcome", "note": "Tea from 6pm"}
    )
    assert added.status_code == 201
    welcome = added.get_json()
    assert welcome["key"] == f"item:{welcome['id']}" and welcome["kind"] == "item"
    later = api.post(f"/sessions/{s['id']}/agenda", world.fac, {"title": "Any other business"})
    moved = api.patch(
        f"/sessions/{s['id']}/agenda/{later.get_json()['id']}",
        world.fac,
        {"position": 1, "title": "Other business first"},
    ).get_json()
    assert moved["position"] == 1 and moved["title"] == "Other business first"
    order = api.get(f"/sessions/{s['id']}/agenda", world.fac).get_json()
    assert [i["id"] for i in order["items"]] == [moved["id"], welcome["id"]]
    assert [v["vote_id"] for v in order["votes"]] == [vote["id"]]
    error(api.patch(f"/sessions/{s['id']}/agenda/{welcome['id']}", world.fac, {"position": 9}), 422)
    error(api.post(f"/sessions/{s['id']}/agenda", world.fac, {"title": ""}), 422)
    assert api.delete(f"/sessions/{s['id']}/agenda/{moved['id']}", world.fac).status_code == 204
    assert [
        i["id"] for i in api.get(f"/sessions/{s['id']}/agenda", world.fac).get_json()["items"]
    ] == [welcome["id"]]
    error(api.delete(f"/sessions/{s['id']}/agenda/{moved['id']}", world.fac), 404)
    error(api.patch(f"/sessions/{s['id']}/agenda/999999", world.fac, {"title": "x"}), 404)
    error(api.delete(f"/sessions/{s['id']}/agenda/{welcome['id']}", world.mem), 403)
    error(api.get(f"/sessions/{s['id']}/agenda?page=0", world.mem), 422)

    pdf = api.get(f"/sessions/{s['id']}/pack.pdf", world.mem)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Welcome" in text and "March session" in text and "Plainer words" in text
    html = api.get(f"/sessions/{s['id']}/pack", world.mem)
    assert html.status_code == 200 and "Plainer words" in html.get_data(as_text=True)

    # Decided in the session, the vote stays on its agenda (closing it used to take
    # it away at once, and the box for its notes with it); a later session does not
    # list it, and the next one planned lists only what is open.
    assert api.post(f"/sessions/{s['id']}/start", world.fac).status_code == 200
    assert api.post(f"/votes/{vote['id']}/close", world.fac).status_code == 200
    running = api.get(f"/sessions/{s['id']}/agenda", world.mem).get_json()
    assert [(v["vote_id"], v["open"]) for v in running["votes"]] == [(vote["id"], False)]
    noted = api.call(
        "PUT",
        f"/sessions/{s['id']}/notes",
        world.fac,
        json={"item": f"vote:{vote['id']}", "text": "Agreed."},
    )
    assert noted.status_code == 200, noted.get_json()
    assert [n["title"] for n in noted.get_json()] == [running["votes"][0]["title"]]
    assert (
        api.get(f"/sessions/{plan(api, world, 'Next')['id']}/agenda", world.mem).get_json()["votes"]
        == []
    )


def test_review_lists_changes_since_the_session_and_marks_them(api, world, place, db):
    before = edit(db, place.section, world.editor, 0, "You can ask for a budget.")
    s = plan(api, world)
    api.post(f"/sessions/{s['id']}/start", world.fac)
    after = edit(db, place.section, world.editor, 1, "The council pays it every month.")
    body = review(api, world)
    assert body["since"]["id"] == s["id"]
    assert keys_of(body, "sentence") == {f"sentence:{after}"}
    assert f"sentence:{before}" not in keys_of(body)
    [section] = body["policies"][0]["sections"]
    row = next(r for r in section["sentences"] if r["key"] == f"sentence:{after}")
    assert row["change"] == "changed" and row["before"] == "The council pays it monthly."
    assert row["text"] == "The council pays it every month."
    assert {"op": "insert", "text": "every month"} in row["pieces"]
    assert row["by"] == [{"id": world.editor, "name": "Pat Parent"}]
    assert body["done"] == 0 and body["total"] == 1

    marked = api.post(
        f"/groups/{world.group}/review/marks", world.mem, {"keys": [f"sentence:{after}"]}
    )
    assert marked.status_code == 200 and marked.get_json()["done"] == 1
    assert review(api, world)["done"] == 1
    assert review(api, world, world.fac)["done"] == 0  # marks are each member's own
    edit(db, place.section, world.editor, 1, "The council pays it every four weeks.")
    again = review(api, world)
    assert again["done"] == 0 and again["policies"][0]["items"] == [
        {"key": f"sentence:{after}", "kind": "sentence", "reviewed": False}
    ]
    api.post(f"/groups/{world.group}/review/marks", world.mem, {"keys": [f"sentence:{after}"]})
    unmarked = api.post(
        f"/groups/{world.group}/review/marks",
        world.mem,
        {"keys": [f"sentence:{after}"], "reviewed": False},
    )
    assert unmarked.get_json()["done"] == 0


def test_marking_unknown_or_other_groups_items_changes_nothing(api, world, place, db):
    s = plan(api, world)
    api.post(f"/sessions/{s['id']}/start", world.fac)
    changed = edit(db, place.section, world.editor, 0, "You may ask for a budget.")
    key = f"sentence:{changed}"
    error(
        api.post(f"/groups/{world.group}/review/marks", world.mem, {"keys": ["vote:424242"]}), 404
    )
    error(
        api.post(
            f"/groups/{world.group}/review/marks",
            world.mem,
            {"keys": [key, f"sentence:{world.other_sentence}"]},
        ),
        404,
    )
    error(api.post(f"/groups/{world.other_group}/review/marks", world.other, {"keys": [key]}), 404)
    error(api.post(f"/groups/{world.group}/review/marks", world.mem, {"keys": []}), 422)
    assert review(api, world)["done"] == 0


def test_progress_counts_reviews_and_reveals_no_votes(api, world, place, db):
    rules = api.call(
        "PUT",
        f"/groups/{world.group}/decision-rules",
        world.fac,
        json={
            "quorum_percent": 50,
            "threshold_percent": 50,
            "close_mode": "date_or_all_voted",
            "vote_days": 7,
            "secret_ballot": True,
        },
    )
    assert rules.status_code == 200, rules.get_json()
    proposal = api.post(
        f"/sections/{place.section}/proposals",
        world.mem,
        {"kind": "delete", "reason": "Shorter", "sentence_ids": [place.sentences[2]]},
    ).get_json()
    vote = api.post(f"/proposals/{proposal['id']}/vote", world.mem, {}).get_json()
    assert vote["rules"]["secret"] is True
    api.post(f"/votes/{vote['id']}/ballots", world.mem, {"choice": "reject"})
    body = review(api, world)
    assert f"vote:{vote['id']}" in keys_of(body)
    [v] = body["policies"][0]["votes"]
    assert v["my_choice"] == "reject"
    assert review(api, world, world.fac)["policies"][0]["votes"][0]["my_choice"] is None
    api.post(f"/groups/{world.group}/review/marks", world.mem, {"keys": [f"vote:{vote['id']}"]})
    rows = api.get(f"/groups/{world.group}/review/progress", world.fac).get_json()
    assert {r["name"]: r["reviewed"] for r in rows} == {
        "Fran Facilitator": 0,
        "Hana Health": 1,
        "Pat Parent": 0,
    }
    for r in rows:
        assert set(r) == {"user_id", "name", "role", "reviewed", "total"}
    assert "reject" not in str(rows) and "choice" not in str(rows)
