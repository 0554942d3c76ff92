"""Session pages: the seeded scenario the issue asks for (three sub-groups edit
between two sessions; every member's review page lists exactly those changes),
marking reviewed and a later change, the agenda and the printed pack."""

from __future__ import annotations

import io
import random
import re
from datetime import UTC, datetime

import pytest
from diff_match_patch import diff_match_patch
from pypdf import PdfReader

from server.accounts.models import User
from server.editing import services as editing
from server.groups.services import get_member
from server.policies.services import add_text, sentences_of
from server.review import proposals, votes
from tests.conftest import sign_in
from tests.web.conftest import post, text

dmp = diff_match_patch()
SEED = 20261124
ITEM = re.compile(r'id="item-sentence-(\d+)"')


def edit(db, section, user, index, new_text):
    row = sentences_of(db, [section.id])[section.id][index]
    editing.edit_text(
        db, section, row, user, row.version, dmp.patch_toText(dmp.patch_make(row.text, new_text))
    )
    db.commit()
    return row.id


@pytest.fixture
def seeded(make, db):
    """A facilitator, six members in three sub-groups, each owning one section."""
    chair = make.user("Fran Facilitator", "fran@example.org")
    group = make.group(chair, "Northshire")
    people = [make.member(group, make.user(f"Member {i}", f"m{i}@example.org")) for i in range(6)]
    subs = [make.subgroup(group, f"Sub {n}", members=people[2 * n : 2 * n + 2]) for n in range(3)]
    policy = make.policy(group, chair, "Personal Budget policy")
    sections = [
        make.section(
            policy.parts[0],
            chair,
            sub,
            f"Section {n}",
            f"First sentence of {n}. Second sentence of {n}.",
        )
        for n, sub in enumerate(subs)
    ]
    return {
        "group": group,
        "chair": chair,
        "people": people,
        "policy": policy,
        "sections": sections,
    }


def as_(client, email):
    assert sign_in(client, email).status_code == 302
    return client


def test_three_subgroups_edit_between_sessions_and_everyone_reviews_exactly_that(app, seeded, db):
    w, rng = seeded, random.Random(SEED)
    gid = w["group"].id
    chair = app.test_client()
    as_(chair, "fran@example.org")
    before = edit(
        db,
        w["sections"][0],
        db.get(User, w["people"][0].user_id),
        0,
        "Changed before the first session.",
    )

    # Plan and run the first session through the pages.
    planned = post(
        chair,
        f"/groups/{gid}/sessions",
        {"title": "First session", "starts_at": "2030-01-10T18:00", "place": "Town hall"},
    )
    assert planned.status_code == 302, text(planned)
    first_url = planned.headers["Location"]
    first_id = int(first_url.rstrip("/").split("/")[-1])
    assert "Start the session" in text(chair.get(first_url))
    confirm = text(chair.get(f"/sessions/{first_id}/start"))
    assert "Yes, start the session" in confirm
    # Planned for a later day: said before a start that cannot be undone.
    assert "This session is planned for 10 January 2030 at 18:00 GMT, not today." in confirm
    assert post(chair, f"/sessions/{first_id}/start").status_code == 302
    assert "Running now" in text(chair.get(first_url))
    assert post(chair, f"/sessions/{first_id}/close").status_code == 302
    page = text(chair.get(first_url))
    assert "Closed" in page and "Minutes: decisions taken" in page

    # Between the sessions: each sub-group edits its own section.
    expected = set()
    for n, section in enumerate(w["sections"]):
        writer = db.get(User, w["people"][2 * n + rng.randrange(2)].user_id)
        expected.add(edit(db, section, writer, rng.randrange(2), f"Edited by sub {n}."))
        expected.add(add_text(db, section, writer, f"New words from sub {n}.")[0].id)
        db.commit()

    for ship in [get_member(db, gid, w["chair"].id), *w["people"]]:
        client = as_(app.test_client(), db.get(User, ship.user_id).email)
        body = text(client.get(f"/groups/{gid}/review"))
        assert {int(i) for i in ITEM.findall(body)} == expected, ship.user_id
        assert f'item-sentence-{before}"' not in body or before in expected
        assert "You have reviewed 0 of 6." in body
        assert "Since the session" in body or "First session" in body
        assert "Changed before the first session" not in body or before in expected
    # The diff is readable: words struck and inserted, with screen-reader words.
    assert '<del class="diff-del"><span class="visually-hidden">[removed: ' in body
    assert "[added: </span>New words from sub 0.<" in body
    assert "by Member " in body

    # Marking reviewed, then a later change to the same sentence unmarks it.
    reader = as_(app.test_client(), "m5@example.org")
    key = f"sentence:{sorted(expected)[0]}"
    done = post(reader, f"/groups/{gid}/review/marks", {"key": key, "reviewed": "1"})
    assert done.status_code == 302
    assert "You have reviewed 1 of 6." in text(reader.get(f"/groups/{gid}/review"))
    assert "Mark as not reviewed" in text(reader.get(f"/groups/{gid}/review"))
    sid = int(key.split(":")[1])
    sentence_section = next(
        s for s in w["sections"] if sid in [r.id for r in sentences_of(db, [s.id])[s.id]]
    )
    index = [r.id for r in sentences_of(db, [sentence_section.id])[sentence_section.id]].index(sid)
    owner = next(
        p
        for p in w["people"]
        if p.user_id
        in {
            m.user_id
            for m in w["people"][
                2 * w["sections"].index(sentence_section) : 2
                * w["sections"].index(sentence_section)
                + 2
            ]
        }
    )
    edit(db, sentence_section, db.get(User, owner.user_id), index, "A later change.")
    assert "You have reviewed 0 of 6." in text(reader.get(f"/groups/{gid}/review"))

    # Marking something that is not in this group's review: an error, nothing marked.
    bad = post(reader, f"/groups/{gid}/review/marks", {"key": "sentence:999999"})
    assert bad.status_code == 404
    assert "You have reviewed 0 of 6." in text(reader.get(f"/groups/{gid}/review"))

    # Progress: facilitators only, counts without votes.
    assert reader.get(f"/groups/{gid}/review/progress").status_code == 403
    progress = text(chair.get(f"/groups/{gid}/review/progress"))
    assert "Member 5" in progress and "0 of 6" in progress


def test_session_agenda_pack_and_pdf(app, seeded, db):
    w = seeded
    gid = w["group"].id
    author = w["people"][0]
    section = w["sections"][1]
    row = sentences_of(db, [section.id])[section.id][1]
    prop = proposals.create(
        db,
        section,
        author,
        kind="replace",
        reason="Families asked for plainer words",
        text="You get a second sentence.",
        sentence_ids=[row.id],
    )
    votes.open_for_proposal(db, prop, author, db.get(User, author.user_id))
    db.commit()
    chair = as_(app.test_client(), "fran@example.org")
    planned = post(
        chair,
        f"/groups/{gid}/sessions",
        {"title": "Second session", "starts_at": "2030-02-10T18:00"},
    )
    mid = int(planned.headers["Location"].split("/")[-1])
    assert post(chair, f"/sessions/{mid}/agenda", {"title": "Welcome"}).status_code == 302
    page = text(chair.get(f"/sessions/{mid}"))
    assert "Suggestion: " in page and "(in “Section 1”)" in page and "Welcome" in page
    item_id = int(re.findall(r'id="item-(\d+)"', page)[-1])
    assert (
        post(chair, f"/sessions/{mid}/agenda/{item_id}/move", {"direction": "up"}).status_code
        == 302
    )
    page = text(chair.get(f"/sessions/{mid}"))
    assert page.index("Welcome") < page.index("Suggestion: ")
    # The live fragment the page refetches renders the same agenda with its forms.
    live = chair.get(f"/sessions/{mid}/live")
    assert live.status_code == 200 and "Take “Welcome” off the agenda?" in text(live)
    assert (
        post(
            chair,
            f"/sessions/{mid}/agenda/{item_id}/edit",
            {"title": "Welcome and tea", "note": "From 6pm"},
        ).status_code
        == 302
    )
    bad = post(chair, f"/sessions/{mid}/agenda", {"title": ""})
    assert bad.status_code == 422 and "Give the item a title." in text(bad)

    # A member reads the session but cannot change it.
    member = as_(app.test_client(), "m1@example.org")
    assert member.get(f"/sessions/{mid}").status_code == 200
    assert "Start the session" not in text(member.get(f"/sessions/{mid}"))
    assert post(member, f"/sessions/{mid}/start").status_code == 403
    assert post(member, f"/sessions/{mid}/agenda", {"title": "x"}).status_code == 403

    # Between sessions a sentence changed: it is in the pack too.
    first = post(
        chair, f"/groups/{gid}/sessions", {"title": "Start", "starts_at": "2030-01-01T10:00"}
    )
    fid = int(first.headers["Location"].split("/")[-1])
    post(chair, f"/sessions/{fid}/start")
    edit(
        db,
        w["sections"][2],
        db.get(User, w["people"][4].user_id),
        0,
        "Sub two rewrote this sentence.",
    )
    html = text(member.get(f"/sessions/{mid}/pack"))
    assert "Welcome and tea" in html and "Families asked for plainer words" in html
    pdf = member.get(f"/sessions/{mid}/pack.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    words = " ".join(
        " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf.data)).pages
    )
    assert "Welcome and tea" in words
    assert "Suggestion: " in words
    assert "Families asked for plainer words" in words
    assert "Sub two rewrote this sentence." in words

    # Starting while another runs, closing one that never started: clear errors.
    started = post(chair, f"/sessions/{mid}/start", follow_redirects=True)
    assert "is running. Close it before starting another." in text(started)
    assert "Planned" in text(chair.get(f"/sessions/{mid}"))
    never = post(chair, f"/sessions/{mid}/close", follow_redirects=True)
    assert "has not started, so it cannot be closed" in text(never)
    outsider = make_outsider(app, db)
    assert outsider.get(f"/sessions/{mid}").status_code == 404
    assert outsider.get(f"/groups/{gid}/review").status_code == 404


def make_outsider(app, db):
    from tests.conftest import Factory

    make = Factory(app)
    make.group(make.user("Olly Outsider", "olly@example.org"), "Elsewhere")
    return as_(app.test_client(), "olly@example.org")


def test_a_facilitator_cancels_a_planned_session_from_its_page(app, seeded, db):
    """Cancel asks first, says what it does and how to move the date instead; after it
    the session is gone from the list and from "Next session" on the review page."""
    from server.meetings import services as meetings

    w = seeded
    planned = meetings.schedule(
        db, w["group"], w["chair"], title="December session",
        starts_at=datetime(2030, 12, 18, 18, 0, tzinfo=UTC),
    )  # fmt: skip
    db.commit()
    member = as_(app.test_client(), "m0@example.org")
    review = member.get(f"/groups/{w['group'].id}/review").get_data(as_text=True)
    assert "Next session:" in review and "December session" in review
    assert "Cancel the session" not in member.get(f"/sessions/{planned.id}").get_data(as_text=True)
    assert post(member, f"/sessions/{planned.id}/cancel").status_code == 403

    chair = as_(app.test_client(), "fran@example.org")
    page = chair.get(f"/sessions/{planned.id}").get_data(as_text=True)
    assert f'href="/sessions/{planned.id}/cancel">Cancel the session</a>' in page
    confirm = chair.get(f"/sessions/{planned.id}/cancel").get_data(as_text=True)
    assert "Cancel the session “December session”?" in confirm
    assert "change its date" in confirm and "Yes, cancel the session" in confirm
    done = post(chair, f"/sessions/{planned.id}/cancel")
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/groups/{w['group'].id}/sessions"
    )
    listed = chair.get(done.headers["Location"]).get_data(as_text=True)
    assert "The session “December session” is cancelled. Members are told." in listed
    assert chair.get(f"/sessions/{planned.id}").status_code == 404
    review = member.get(f"/groups/{w['group'].id}/review").get_data(as_text=True)
    assert "December session" not in review
