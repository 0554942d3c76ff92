"""Sessions through their services: start and close, minutes, agenda, and each
member's review of what changed since the last session."""

from __future__ import annotations

import random

import pytest
from diff_match_patch import diff_match_patch

from server.accounts.models import User
from server.editing import services as editing
from server.errors import Conflict, NotFound
from server.groups.services import get_member
from server.history.models import Checkpoint
from server.meetings import agenda, review, services
from server.policies.services import add_text, sentences_of
from server.review import comments, proposals, votes
from server.review.models import Outcome

dmp = diff_match_patch()
SEED = 20261123


@pytest.fixture
def group_world(make, db):
    """Three sub-groups, each owning one section, and a policy to draft."""
    chair = make.user("Fran Facilitator")
    group = make.group(chair)
    fac = get_member(db, group.id, chair.id)
    people = [make.member(group, make.user(f"Member {i}")) for i in range(6)]
    subs = [make.subgroup(group, f"Sub {n}", members=people[2 * n : 2 * n + 2]) for n in range(3)]
    policy = make.policy(group, chair)
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
        "fac": fac,
        "people": people,
        "subs": subs,
        "policy": policy,
        "sections": sections,
    }


def edit(db, section, user, index, new_text):
    row = sentences_of(db, [section.id])[section.id][index]
    editing.edit_text(
        db, section, row, user, row.version, dmp.patch_toText(dmp.patch_make(row.text, new_text))
    )
    return row.id


def user(db, membership):
    return db.get(User, membership.user_id)


def test_review_lists_exactly_the_changes_since_the_last_session(db, group_world):
    w, rng = group_world, random.Random(SEED)
    before_id = edit(db, w["sections"][0], user(db, w["people"][0]), 0, "Changed before.")
    db.commit()
    first = services.schedule(
        db, w["group"], w["chair"], title="Session 1", starts_at=w["policy"].created_at
    )
    services.start(db, first, w["chair"])
    services.close(db, first, w["chair"])
    db.commit()
    expected = set()
    for n, section in enumerate(w["sections"]):  # each sub-group edits between sessions
        writer = user(db, w["people"][2 * n + rng.randrange(2)])
        expected.add(edit(db, section, writer, rng.randrange(2), f"Edited by sub {n}."))
        added = add_text(db, section, writer, f"New words from sub {n}.")
        expected.add(added[0].id)
    db.commit()
    for m in [w["fac"], *w["people"]]:
        got = review.review_for(db, w["group"].id, m.user_id)
        keys = {i.key for i in got.items if i.kind == "sentence"}
        assert keys == {f"sentence:{i}" for i in expected}
        assert f"sentence:{before_id}" not in keys or before_id in expected
        assert got.since.id == first.id and got.done == 0


def test_marking_reviewed_and_a_later_change_unreviews(db, group_world):
    w = group_world
    meeting = services.schedule(
        db, w["group"], w["chair"], title="S", starts_at=w["policy"].created_at
    )
    services.start(db, meeting, w["chair"])
    db.commit()
    writer = user(db, w["people"][0])
    sid = edit(db, w["sections"][0], writer, 0, "A new first sentence.")
    thread = comments.add(db, w["sections"][1], w["people"][3], "Why this word?")
    db.commit()
    reader = w["people"][5].user_id
    done = review.mark(db, w["group"].id, reader, [f"sentence:{sid}", f"thread:{thread.id}"])
    db.commit()
    assert done.done == 2
    edit(db, w["sections"][0], writer, 0, "A newer first sentence.")
    comments.reply(db, thread, w["people"][2], "Because it is shorter.")
    db.commit()
    again = review.review_for(db, w["group"].id, reader)
    assert {i.key: i.reviewed for i in again.items} == {
        f"sentence:{sid}": False,
        f"thread:{thread.id}": False,
    }
    progress = {p.user_id: p for p in review.progress(db, w["group"].id)}
    assert progress[reader].reviewed == 0 and progress[reader].total == 2


def test_marking_unknown_or_other_groups_items_changes_nothing(db, make, group_world):
    w = group_world
    other = make.group(make.user("Other chair"), "Other group")
    with pytest.raises(NotFound):
        review.mark(db, w["group"].id, w["people"][0].user_id, ["sentence:999999"])
    edit(db, w["sections"][0], user(db, w["people"][0]), 0, "Changed.")
    db.commit()
    key = review.review_for(db, w["group"].id, None).items[0].key
    with pytest.raises(NotFound):
        review.mark(db, other.id, w["people"][0].user_id, [key])
    with pytest.raises(NotFound):  # one bad key: none are marked
        review.mark(db, w["group"].id, w["people"][0].user_id, [key, "vote:424242"])
    db.rollback()
    assert review.review_for(db, w["group"].id, w["people"][0].user_id).done == 0


def test_start_and_close_errors_and_the_checkpoint(db, group_world):
    w = group_world
    one = services.schedule(
        db, w["group"], w["chair"], title="One", starts_at=w["policy"].created_at
    )
    two = services.schedule(
        db, w["group"], w["chair"], title="Two", starts_at=w["policy"].created_at
    )
    with pytest.raises(Conflict) as never:
        services.close(db, one, w["chair"])
    assert never.value.code == "session_not_started"
    services.start(db, one, w["chair"])
    with pytest.raises(Conflict) as busy:
        services.start(db, two, w["chair"])
    assert busy.value.code == "session_running"
    assert two.started_at is None
    [cp] = db.query(Checkpoint).filter_by(session_id=one.id).all()
    assert cp.policy_id == w["policy"].id
    services.close(db, one, w["chair"])
    with pytest.raises(Conflict):
        services.close(db, one, w["chair"])
    with pytest.raises(Conflict):
        services.start(db, one, w["chair"])


def test_agenda_in_text_order_and_minutes_record_decisions(db, group_world):
    w = group_world
    everyone = [w["fac"], *w["people"]]
    last, first = w["sections"][2], w["sections"][0]
    late = proposals.create(
        db,
        last,
        w["people"][0],
        kind="delete",
        reason="Shorter",
        sentence_ids=[sentences_of(db, [last.id])[last.id][1].id],
    )
    v_late = votes.open_for_proposal(db, late, w["people"][0], user(db, w["people"][0]))
    v_first = votes.open_for_agreement(db, first, w["group"].id, user(db, w["people"][0]))
    meeting = services.schedule(
        db, w["group"], w["chair"], title="Decide", starts_at=w["policy"].created_at
    )
    assert agenda.items(meeting) == []  # votes are read, not copied
    entries = agenda.votes(db, meeting).entries
    assert [e.vote.id for e in entries] == [v_first.id, v_late.id]
    assert entries[0].title == "Agree the section “Section 0”"
    agenda.add(db, meeting, "Apologies")
    own = agenda.add(db, meeting, "Welcome and introductions")
    agenda.move(db, meeting, own, 1)
    assert [i.title for i in agenda.items(meeting)] == ["Welcome and introductions", "Apologies"]
    services.start(db, meeting, w["chair"])
    for m in everyone:
        votes.cast(db, v_first, m, "approve")
    db.commit()
    services.close(db, meeting, w["chair"])
    assert v_first.outcome == Outcome.APPROVED
    assert meeting.minutes["agreed_sections"] == [
        {"section_id": first.id, "section": "Section 0", "policy": w["policy"].title}
    ]
    assert [d["vote_id"] for d in meeting.minutes["decisions"]] == [v_first.id]
    assert [e.vote.id for e in agenda.votes(db, meeting).entries] == [v_first.id]
