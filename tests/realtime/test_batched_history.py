"""The op log and history written once per batch say exactly what they said when
written once per change.

In a batch (realtime.group_commit) the op numbers are counted in the session and
the ops and revisions kept until just before the commit (events.begin_batch). The
same edits are sent twice through real socket clients to two identical sections of
one policy: first as a burst that piles up into batches (the database held locked
for a moment, with refused changes, a split and an op that takes a snapshot in the
middle), then one at a time, in the order the burst was written, each its own
transaction. Both give the same ops (seqs, messages) and the same revisions.
"""

from __future__ import annotations

import json
import sqlite3
import time

import requests

from server.history.store import SNAPSHOT_EVERY
from tests.conftest import LiveServer
from tests.realtime.conftest import PILE_UP, Live, patch, start_patiently
from tests.realtime.test_sockets import wait_for

TEXT = "You can ask for a budget. We will answer in four weeks. You can appeal."
LEAD = 10  # each phase starts this many ops before a snapshot's seq


def sentences(server, token: str, section_id: int) -> list[dict]:
    body = requests.get(
        f"{server.url}/api/v1/sections/{section_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    return body["sentences"]


def plan(ids: list[int], versions: list[int], texts: list[str]) -> list[tuple[str, str, dict]]:
    """alice types into the first sentence and splits the third; bob types into the
    second; carol, outside the sub-group, is refused, and alice once names no
    sentence. (Two people typing into one sentence at once is left out: whether the
    second is merged or refused depends on which socket the server reads first.)"""
    steps: list[tuple[str, str, dict]] = []
    a_text, a_version = texts[0], versions[0]
    b_text, b_version = texts[1], versions[1]
    for k in range(18):
        new = a_text[:-1] + f" w{k}."
        steps.append(
            (
                "alice",
                "edit_sentence",
                {"id": ids[0], "base_version": a_version, "patch": patch(a_text, new)},
            )
        )
        a_text, a_version = new, a_version + 1
        new = b_text[:-1] + f" b{k}."
        steps.append(
            (
                "bob",
                "edit_sentence",
                {"id": ids[1], "base_version": b_version, "patch": patch(b_text, new)},
            )
        )
        b_text, b_version = new, b_version + 1
        if k == 5:
            steps.append(
                (
                    "carol",
                    "edit_sentence",
                    {
                        "id": ids[1],
                        "base_version": 1,
                        "patch": patch(texts[1], "Carol. " + texts[1]),
                    },
                )
            )
        if k == 7:
            steps.append(
                (
                    "alice",
                    "split_sentence",
                    {"id": ids[2], "base_version": versions[2], "offset": 4},
                )
            )
        if k == 9:
            steps.append(
                (
                    "alice",
                    "edit_sentence",
                    {"id": 999_999_999, "base_version": 1, "patch": patch("a", "b")},
                )
            )
    return steps


def _paced(client: Live, event: str, payload: dict) -> dict:
    """The reply to one change, sent again after a pause while the socket's flood
    control refuses it (`rate_limited` changes nothing): the burst spent its tokens,
    and a fast server answers the next changes quicker than they refill."""
    while True:
        ack = client.call(event, payload)
        if ack.get("ok") or ack["error"]["code"] != "rate_limited":
            return ack
        time.sleep(0.2)


def _pad_to(clients: dict, section_id: int, seq: int, target: int) -> int:
    """Add sentences one at a time until the op log stands at `target`."""
    names = ["alice", "bob"]
    while seq < target:
        ack = _paced(
            clients[names[seq % 2]],
            "insert_sentence",
            {"section_id": section_id, "text": f"Pad {seq}.", "place": {"at": "end"}},
        )
        assert ack.get("ok"), ack
        seq = ack["seq"]
    assert seq == target
    return seq


def _normal(value, ids: dict):
    """An op or revision with sentence and section ids renamed in order of first
    appearance, and what differs between the two runs (client ids, refs, times) left
    out."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in ("origin", "ref") or key.endswith("_at"):
                continue
            if key in ("id", "section_id", "sentence_id", "other_sentence_id") and item is not None:
                out[key] = ids.setdefault((key == "section_id", item), len(ids))
            else:
                out[key] = _normal(item, ids)
        return out
    if isinstance(value, list):
        return [_normal(item, ids) for item in value]
    return value


def _written(db_path, policy_id: int, after: int, upto: int):
    """The ops (seq made relative) and revisions of seqs after..upto, normalised."""
    con = sqlite3.connect(db_path)
    try:
        ops = [
            (seq - after, json.loads(message))
            for seq, message in con.execute(
                "SELECT seq, message FROM policy_ops WHERE policy_id = ? AND seq > ? AND seq <= ?"
                " ORDER BY seq",
                (policy_id, after, upto),
            )
        ]
        cursor = con.execute(
            "SELECT id, kind, cause, author_id, first_seq, last_seq, op_count, section_id,"
            " sentence_id, other_sentence_id, from_version, to_version FROM revisions"
            " WHERE policy_id = ? AND first_seq > ? AND first_seq <= ? ORDER BY first_seq",
            (policy_id, after, upto),
        )
        names = [d[0] for d in cursor.description]
        revs = [dict(zip(names, row, strict=True)) for row in cursor]
        snaps = [
            seq - after
            for (seq,) in con.execute(
                "SELECT seq FROM history_snapshots WHERE policy_id = ? AND seq > ? AND seq <= ?",
                (policy_id, after, upto),
            )
        ]
    finally:
        con.close()
    assert [r["id"] for r in revs] == sorted(r["id"] for r in revs)  # written in seq order
    ids: dict = {}
    for _seq, message in ops:
        message["seq"] -= after
    norm_ops = [_normal(m, ids) for _s, m in ops]
    norm_revs = []
    for r in revs:
        r.pop("id")
        r["first_seq"] -= after
        r["last_seq"] -= after
        norm_revs.append(_normal(r, ids))
    return norm_ops, norm_revs, snaps


def test_edits_written_in_batches_leave_the_same_op_log_and_history_as_one_by_one(
    world, make, instance
):
    policy, sub, fatima = world["policy"], world["sub"], world["users"]["fatima"]
    burst_section = make.section(policy.parts[0], fatima, sub, "Burst", TEXT)
    single_section = make.section(policy.parts[0], fatima, sub, "One by one", TEXT)
    server = start_patiently(LiveServer(instance, env=PILE_UP))
    clients: dict[str, Live] = {}
    try:
        clients = {n: Live(server.url, world["tokens"][n]) for n in ("alice", "bob", "carol")}
        seq = max(c.join(policy.id)["seq"] for c in clients.values())
        token = world["tokens"]["alice"]

        def steps_for(section) -> list:
            rows = sentences(server, token, section.id)
            return plan(
                [s["id"] for s in rows], [s["version"] for s in rows], [s["text"] for s in rows]
            )

        # The burst: everything queues behind a held write lock, then is written in batches.
        start_burst = _pad_to(clients, world["section"].id, seq, SNAPSHOT_EVERY - LEAD)
        burst = steps_for(burst_section)
        answers: dict[int, dict] = {}
        hold = sqlite3.connect(instance / "codraft.db", timeout=30)
        hold.execute("BEGIN IMMEDIATE")
        for n, (name, event, payload) in enumerate(burst):
            clients[name].sio.emit(
                event,
                {**payload, "ref": n},
                callback=lambda ack, n=n: answers.__setitem__(n, ack),
            )
            time.sleep(0.002)
        time.sleep(0.3)
        hold.rollback()
        hold.close()
        assert wait_for(lambda: len(answers) == len(burst), 60), len(answers)
        refused = {n: a["error"]["code"] for n, a in answers.items() if not a.get("ok")}
        assert sorted(refused.values()) == ["forbidden", "not_found"], [
            (burst[n][0], burst[n][1], answers[n]) for n in sorted(refused)
        ]
        end_burst = start_burst + len(burst) - len(refused)
        assert sorted(a["seq"] for a in answers.values() if a.get("ok")) == list(
            range(start_burst + 1, end_burst + 1)
        )
        order = sorted((a["seq"], n) for n, a in answers.items() if a.get("ok"))

        # The same edits, one at a time, in the order the burst was written.
        start_single = _pad_to(clients, world["section"].id, end_burst, 2 * SNAPSHOT_EVERY - LEAD)
        single = steps_for(single_section)
        for _seq, n in order:
            name, event, payload = single[n]
            ack = _paced(clients[name], event, {**payload, "ref": 1000 + n})
            assert ack.get("ok"), ack
        for n in refused:
            name, event, payload = single[n]
            assert _paced(clients[name], event, payload)["error"]["code"] == refused[n]
        end_single = start_single + len(order)

        db_path = instance / "codraft.db"
        burst_written = _written(db_path, policy.id, start_burst, end_burst)
        single_written = _written(db_path, policy.id, start_single, end_single)
        assert burst_written[2] == single_written[2] == [LEAD]  # a snapshot in each
        assert burst_written[0] == single_written[0]  # the op log
        assert burst_written[1] == single_written[1]  # the revisions
        assert any(r["op_count"] > 1 for r in burst_written[1])  # typing was coalesced
        assert {r["kind"] for r in burst_written[1]} >= {"edit", "split"}
    finally:
        for c in clients.values():
            c.close()
        server.stop()


def test_a_change_undone_in_the_middle_of_a_batch_leaves_no_gap_and_no_trace(world, db):
    """A change that fails after its op was numbered and kept (a bug, caught by the
    batch writer) is rolled back with its savepoint: the op it kept goes with it, the
    next change takes its number, and history extends the revision across it."""
    from sqlalchemy import select

    from server import events
    from server.editing import services as editing
    from server.history.models import Revision
    from server.policies.models import Policy, PolicyOp, Sentence

    section, alice = world["section"], world["users"]["alice"]
    sentence_id = db.scalars(
        select(Sentence.id).where(Sentence.section_id == section.id).order_by(Sentence.position)
    ).first()
    policy_id = world["policy"].id
    start = db.get(Policy, policy_id).seq

    def type_word(word: str) -> dict:
        row = db.get(Sentence, sentence_id)
        new = row.text[:-1] + f" {word}."
        return editing.edit_text(db, section, row, alice, row.version, patch(row.text, new))

    events.begin_batch(db)
    try:
        with events.savepoint(db):
            assert type_word("one")["seq"] == start + 1
        try:
            with events.savepoint(db):
                assert type_word("lost")["seq"] == start + 2
                raise RuntimeError("a bug after the op was kept")
        except RuntimeError:
            db.expire_all()  # the sentence this session holds was rolled back too
        with events.savepoint(db):
            assert type_word("two")["seq"] == start + 2  # the number is given again
        assert db.scalar(select(PolicyOp.seq).where(PolicyOp.seq > start)) is None  # kept
        db.commit()
    finally:
        events.end_batch(db)
    db.expire_all()
    ops = db.scalars(
        select(PolicyOp).where(PolicyOp.policy_id == policy_id, PolicyOp.seq > start)
    ).all()
    assert [op.seq for op in ops] == [start + 1, start + 2]
    assert "lost" not in ops[1].message["text"] and ops[1].message["text"].endswith("one two.")
    assert db.get(Policy, policy_id).seq == start + 2
    rev = db.scalars(select(Revision).where(Revision.first_seq == start + 1)).one()
    assert (rev.last_seq, rev.op_count, rev.kind) == (start + 2, 2, "edit")
