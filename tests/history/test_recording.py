"""Recording: every change reaches the op log and the revisions; typing coalesces
into readable revisions (one author, one sentence, until a pause or a limit);
snapshots are written every SNAPSHOT_EVERY ops; the replay is pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from diff_match_patch import diff_match_patch
from sqlalchemy import select

from server.editing import services as editing
from server.history import recording, store
from server.history.models import Revision
from server.history.replay import PolicyState
from server.policies import oplog
from server.policies import services as policies
from server.policies.models import PolicyOp

dmp = diff_match_patch()


class Clock:
    def __init__(self):
        self.now = datetime.now(UTC) - timedelta(days=1)

    def __call__(self):
        return self.now


def _type(db, team, user, sentence, text):
    db.refresh(sentence)
    editing.edit_text(
        db,
        team.section,
        sentence,
        user,
        sentence.version,
        dmp.patch_toText(dmp.patch_make(sentence.text, text)),
    )
    db.commit()


def _revisions(db, sentence_id):
    return list(
        db.scalars(
            select(Revision).where(Revision.sentence_id == sentence_id).order_by(Revision.first_seq)
        )
    )


def test_typing_coalesces_until_a_pause_another_author_or_a_limit(db, team, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(oplog, "utcnow", clock)
    s = team.section.sentences[0]
    text = s.text
    for word in ("Your", " budget", " is", " yours"):  # keystrokes a few seconds apart
        text += word
        clock.now += timedelta(seconds=5)
        _type(db, team, team.alice, s, text)
    revs = _revisions(db, s.id)
    # (The sentence came with its section: that is the section_insert revision.)
    assert [(r.kind, r.author_id, r.op_count) for r in revs] == [("edit", team.alice.id, 4)]
    assert (revs[0].from_version, revs[0].to_version) == (1, 5)
    clock.now += recording.PAUSE + timedelta(seconds=1)  # a pause closes it
    _type(db, team, team.alice, s, text + ".")
    clock.now += timedelta(seconds=2)  # another author opens their own
    _type(db, team, team.bob, s, text + "!")
    clock.now += timedelta(seconds=2)  # and Alice after Bob starts afresh
    _type(db, team, team.alice, s, text + "!!")
    assert [(r.author_id, r.op_count) for r in _revisions(db, s.id)] == [
        (team.alice.id, 4),
        (team.alice.id, 1),
        (team.bob.id, 1),
        (team.alice.id, 1),
    ]
    monkeypatch.setattr(recording, "MAX_OPS", 2)  # a limit closes it too
    for n in range(3):
        clock.now += timedelta(seconds=1)
        _type(db, team, team.alice, s, text + "!!" + "?" * (n + 1))
    assert [r.op_count for r in _revisions(db, s.id)[-2:]] == [2, 2]
    # A revision loses nothing: every version's exact text is kept.
    last = _revisions(db, s.id)[-1]
    from server.history.services import sentence_version

    assert sentence_version(db, s.id, last.to_version).text == text + "!!???"


def test_structure_changes_are_in_the_op_log(db, team):
    kinds = [
        m["op"]
        for m in db.scalars(
            select(PolicyOp.message)
            .where(PolicyOp.policy_id == team.policy.id)
            .order_by(PolicyOp.seq)
        )
    ]
    assert kinds[:3] == ["part_insert", "part_insert", "section_insert"]
    policies.update_section(db, team.section, title="New title", by=team.fac)
    policies.create_part(db, team.policy, "Another part", by=team.fac)
    policies.update_part(db, team.policy.parts[0], title="Questions and answers", by=team.fac)
    db.commit()
    state = store.state_at(db, team.policy.id, team.policy.seq)
    assert [p["title"] for p in state.outline()] == [
        "Questions and answers",
        "Processes",
        "Another part",
    ]
    assert state.sections[team.section.id]["title"] == "New title"
    kinds = list(
        db.scalars(
            select(Revision.kind)
            .where(Revision.policy_id == team.policy.id)
            .order_by(Revision.first_seq)
        )
    )
    assert kinds[-3:] == ["section_update", "part_insert", "part_update"]


def test_snapshots_are_amortised_and_reads_bounded(db, team, monkeypatch):
    monkeypatch.setattr(store, "SNAPSHOT_EVERY", 5)
    s = team.section.sentences[1]
    for n in range(12):
        _type(db, team, team.alice if n % 2 else team.bob, s, s.text + f" {n}")
    seqs = [
        r.seq
        for r in db.scalars(
            select(store.HistorySnapshot).where(store.HistorySnapshot.policy_id == team.policy.id)
        )
    ]
    assert seqs == [5, 10, 15]
    assert len(store.ops_between(db, team.policy.id, 15, team.policy.seq)) < 5


def test_replay_is_pure_and_survives_dump_and_load():
    state = PolicyState()
    for op in [
        {"op": "part_insert", "part": {"id": 1, "title": "P", "position": "a0"}},
        {
            "op": "section_insert",
            "section_id": 2,
            "section": {
                "id": 2,
                "part_id": 1,
                "position": "a0",
                "title": "S",
                "kind": "text",
                "status": "drafting",
                "subgroup_id": 3,
                "sentences": [{"id": 5, "text": "One.", "version": 1, "position": "a0"}],
            },
        },
        {
            "op": "split",
            "section_id": 2,
            "sentence": {"id": 5, "text": "On", "version": 2, "position": "a0"},
            "new": {"id": 6, "text": "e.", "version": 1, "position": "a1"},
        },
        {
            "op": "merge",
            "section_id": 2,
            "id": 6,
            "separator": "",
            "into": {"id": 5, "text": "One.", "version": 3, "position": "a0"},
        },
        {"op": "section_tag", "whatever": True},  # unknown kinds change nothing
    ]:
        state.apply(op)
    again = PolicyState.load(state.dump())
    assert again.outline() == state.outline()
    assert [s["text"] for s in again.section_sentences(2)] == ["One."]


def test_a_policy_title_change_is_in_history(db, team):
    policies.update_policy(db, team.policy, title="Personal Budgets, plainly", by=team.fac)
    db.commit()
    last = db.scalars(
        select(Revision)
        .where(Revision.policy_id == team.policy.id)
        .order_by(Revision.first_seq.desc())
    ).first()
    assert (last.kind, last.author_id) == ("policy_update", team.fac.id)
