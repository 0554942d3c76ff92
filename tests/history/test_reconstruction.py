"""A long seeded history of edits and structural changes, rebuilt at every
checkpoint and at random moments, and compared with the text saved at the time."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from diff_match_patch import diff_match_patch
from sqlalchemy import func, select

from server import sync
from server.editing import services as editing
from server.history import services as history
from server.history import store
from server.history.models import HistorySnapshot, Revision
from server.history.restore import restore_section, restore_sentence
from server.policies import services as policies
from server.policies.models import Section, Sentence
from tests.history.conftest import live_outline, state_outline

dmp = diff_match_patch()
WORDS = [
    "budget",
    "money",
    "plan",
    "review",
    "family",
    "school",
    "health",
    "care",
    "you",
    "we",
    "can",
    "will",
    "ask",
    "appeal",
    "weeks",
    "child",
    "support",
    "direct",
    "payment",
    "provider",
    "agree",
    "decide",
]


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _live_sentences(db, section_id):
    return list(
        db.scalars(
            select(Sentence)
            .where(Sentence.section_id == section_id, Sentence.deleted_at.is_(None))
            .order_by(Sentence.position, Sentence.id)
        )
    )


def _sections(db, policy_id):
    return list(
        db.scalars(
            select(Section).where(Section.policy_id == policy_id, Section.deleted_at.is_(None))
        )
    )


def random_change(db, rng: random.Random, team, users) -> None:
    """One change through the real services, as the pages, API and sockets make them."""
    user = rng.choice(users)
    sections = _sections(db, team.policy.id)
    roll = rng.random()
    if not sections or roll < 0.05:
        part = rng.choice(team.policy.parts)
        text = ". ".join(
            _words(rng, rng.randint(2, 6)).capitalize() for _ in range(rng.randint(0, 4))
        )
        policies.create_section(
            db,
            part,
            team.fac,
            title=_words(rng, 3).capitalize(),
            subgroup_id=team.sub.id,
            text=text + ("." if text else ""),
        )
        return
    section = rng.choice(sections)
    live = _live_sentences(db, section.id)
    if roll < 0.08 and len(sections) > 1:
        policies.delete_section(db, section, team.fac)
    elif roll < 0.11 and len(sections) > 1:
        other = rng.choice([s for s in sections if s.part_id == section.part_id] or [section])
        place = (
            sync.Place(at=rng.choice(["start", "end"]))
            if other.id == section.id
            else sync.Place(**{rng.choice(["after", "before"]): other.id})
        )
        policies.move_section(db, section, team.fac, place)
    elif roll < 0.13:
        policies.update_section(db, section, title=_words(rng, 2).capitalize(), by=team.fac)
    elif roll < 0.14:
        policies.update_part(
            db, rng.choice(team.policy.parts), title=_words(rng, 2).title(), by=team.fac
        )
    elif roll < 0.17:
        policies.add_text(db, section, user, f"{_words(rng, 3)}. {_words(rng, 4)}.")
    elif not live or roll < 0.27:
        place = sync.Place(after=rng.choice(live).id) if live else sync.Place(at="end")
        editing.insert(db, section, user, _words(rng, rng.randint(1, 6)), place)
    else:
        s = rng.choice(live)
        r2 = rng.random()
        if r2 < 0.6:
            text = s.text
            cut = rng.randint(0, len(text))
            new = (
                text[:cut]
                + rng.choice(["", " " + rng.choice(WORDS)])
                + text[cut + rng.randint(0, 4) :]
            )
            patch = dmp.patch_toText(dmp.patch_make(text, new))
            editing.edit_text(db, section, s, user, s.version, patch)
        elif r2 < 0.7:
            editing.delete(db, section, s, user, s.version)
        elif r2 < 0.8 and s.text:
            editing.split(
                db,
                section,
                s,
                user,
                s.version,
                rng.randint(0, len(s.text)),
            )
        elif r2 < 0.88 and len(live) > 1 and live.index(s) > 0:
            into = live[live.index(s) - 1]
            if len(into.text) + len(s.text) < 1900:
                editing.merge(db, section, s, into, user, s.version, into.version)
        elif r2 < 0.95 and len(live) > 1:
            other = rng.choice([x for x in live if x.id != s.id])
            editing.move(db, section, s, user, sync.Place(after=other.id))
        else:
            versions = s.version
            restore_sentence(db, section, s, user, rng.randint(1, versions))


def run_history(db, team, seed: int, steps: int) -> tuple[list, list]:
    """Make `steps` changes, committing each; return saved (seq, moment, outline)
    after each and the checkpoints made along the way."""
    rng = random.Random(seed)
    users = [team.alice, team.bob]
    saved = [(team.policy.seq, datetime.now(UTC), live_outline(db, team.policy))]
    checkpoints = []
    for step in range(steps):
        random_change(db, rng, team, users)
        db.commit()
        if rng.random() < 0.4:
            # Let several changes share one transaction now and then, as a paste does.
            random_change(db, rng, team, users)
            db.commit()
        seq = db.scalar(
            select(team.policy.__class__.seq).where(team.policy.__class__.id == team.policy.id)
        )
        saved.append((seq, datetime.now(UTC), live_outline(db, team.policy)))
        if step % 25 == 0:
            checkpoints.append(
                (
                    history.make_checkpoint(db, team.policy, rng.choice(users), f"Step {step}"),
                    saved[-1][2],
                )
            )
            db.commit()
    return saved, checkpoints


@pytest.mark.parametrize(("seed", "every"), [(1, 7), (2, 13), (3, 200)])
def test_history_rebuilds_every_checkpoint_and_moment(db, team, monkeypatch, seed, every):
    monkeypatch.setattr(store, "SNAPSHOT_EVERY", every)
    saved, checkpoints = run_history(db, team, seed, 300)
    policy = team.policy
    assert policy.seq > 350
    snapshots = db.scalar(
        select(func.count())
        .select_from(HistorySnapshot)
        .where(HistorySnapshot.policy_id == policy.id)
    )
    assert snapshots == policy.seq // every
    for checkpoint, expected in checkpoints:
        point = history.resolve_point(db, policy, f"checkpoint:{checkpoint.id}")
        assert state_outline(history.state_at(db, policy, point)) == expected
    rng = random.Random(seed + 100)
    for seq, moment, expected in rng.sample(saved, 60) + [saved[0], saved[-1]]:
        assert state_outline(store.state_at(db, policy.id, seq)) == expected, seq
        point = history.resolve_point(db, policy, "time:" + moment.isoformat())
        assert point.seq == seq
        assert state_outline(history.state_at(db, policy, point)) == expected
    # Every op is in exactly one revision.
    covered = db.scalar(select(func.sum(Revision.op_count)).where(Revision.policy_id == policy.id))
    assert covered == policy.seq


def test_restoring_a_section_to_every_checkpoint_round_trips(db, team):
    saved, checkpoints = run_history(db, team, 9, 120)
    for checkpoint, expected in checkpoints:
        ids = {s[0] for _title, secs in expected for s in secs}
        section = db.get(Section, team.section.id)
        if section.deleted_at is not None or section.id not in ids:
            continue
        point = history.resolve_point(db, team.policy, f"checkpoint:{checkpoint.id}")
        restore_section(db, section, team.alice, point)
        db.commit()
        want = next(
            [t for _i, t in s[4]] for _t, secs in expected for s in secs if s[0] == section.id
        )
        assert [s.text for s in _live_sentences(db, section.id)] == want
        # The restore is itself history: the point just before it is still readable.
        now = history.resolve_point(db, team.policy, "now")
        assert [
            s["text"]
            for s in store.state_at(db, team.policy.id, now.seq).section_sentences(section.id)
        ] == want
