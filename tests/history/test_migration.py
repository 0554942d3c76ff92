"""The 0005 migration gives policies written before it a history: a snapshot of
their parts at seq 0, revisions coalesced by the live rule, snapshots every
SNAPSHOT_EVERY ops. Proven by going down to 0004 and up again."""

from __future__ import annotations

from sqlalchemy import select

from server.history import store
from server.history.models import HistorySnapshot, Revision
from server.migrate import downgrade, upgrade
from tests.history.conftest import state_outline
from tests.history.test_reconstruction import run_history


def test_backfill_rebuilds_the_same_history(app, db, team, monkeypatch):
    monkeypatch.setattr(store, "SNAPSHOT_EVERY", 200)
    run_history(db, team, 4, 150)
    pid, last = team.policy.id, team.policy.seq
    first_section = 3  # two part_insert ops, then the first section_insert
    before = {seq: state_outline(store.state_at(db, pid, seq)) for seq in range(0, last + 1)}

    def rows():
        return [
            (
                r.kind,
                r.author_id,
                r.section_id,
                r.sentence_id,
                r.first_seq,
                r.last_seq,
                r.op_count,
                r.to_version,
            )
            for r in db.scalars(
                select(Revision).where(Revision.policy_id == pid).order_by(Revision.id)
            )
        ]

    revisions = rows()
    db.close()
    url = app.config["DATABASE_URL"]
    downgrade(url, "0004_review")
    upgrade(url)
    snaps = list(db.scalars(select(HistorySnapshot.seq).where(HistorySnapshot.policy_id == pid)))
    assert snaps == [0] + list(range(200, last + 1, 200))
    for seq in range(first_section, last + 1):
        assert state_outline(store.state_at(db, pid, seq)) == before[seq], seq
    assert rows() == revisions
