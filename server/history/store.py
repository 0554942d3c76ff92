"""Read the policy at any seq: the latest snapshot at or before it, plus the ops
after that snapshot (fewer than SNAPSHOT_EVERY of them). So a read costs two
indexed queries and a bounded replay however long the history grows.

Snapshots are written by the op that makes the seq a multiple of
SNAPSHOT_EVERY, inside that op's transaction, by replaying from the previous
snapshot: the same code that reads history builds it, and what the database
rows hold at that moment (several ops may share a transaction, as a paste does)
cannot leak in. The cost, a bounded replay every SNAPSHOT_EVERY ops, is paid
once by one edit in every SNAPSHOT_EVERY.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.history.models import HistorySnapshot
from server.history.replay import PolicyState
from server.policies.models import PolicyOp

# 200 ops replay in a few milliseconds; a snapshot of a 300-sentence policy is
# about 15 kB compressed, so 100,000 ops hold 500 of them (7.5 MB).
SNAPSHOT_EVERY = 200


def latest_snapshot(db: Session, policy_id: int, seq: int) -> HistorySnapshot | None:
    return db.scalar(
        select(HistorySnapshot)
        .where(HistorySnapshot.policy_id == policy_id, HistorySnapshot.seq <= seq)
        .order_by(HistorySnapshot.seq.desc())
        .limit(1)
    )


def ops_between(db: Session, policy_id: int, after: int, upto: int) -> list[dict]:
    return list(
        db.scalars(
            select(PolicyOp.message)
            .where(PolicyOp.policy_id == policy_id, PolicyOp.seq > after, PolicyOp.seq <= upto)
            .order_by(PolicyOp.seq)
        )
    )


def state_at(db: Session, policy_id: int, seq: int) -> PolicyState:
    """The policy right after op `seq` (0: before any op)."""
    snap = latest_snapshot(db, policy_id, seq)
    state = PolicyState.load(snap.state) if snap is not None else PolicyState()
    for op in ops_between(db, policy_id, snap.seq if snap is not None else 0, seq):
        state.apply(op)
    return state


def take_snapshot(db: Session, policy_id: int, seq: int, at: datetime) -> None:
    """Store the state after op `seq` (the op itself is already added to the session)."""
    state = state_at(db, policy_id, seq)
    db.add(HistorySnapshot(policy_id=policy_id, seq=seq, at=at, state=state.dump()))


def seq_at(db: Session, policy_id: int, moment: datetime, current: int) -> int:
    """The last seq committed at or before `moment`: the snapshots bracket it, then
    at most SNAPSHOT_EVERY ops between them are looked at (by primary key)."""
    lo = (
        db.scalar(
            select(func.max(HistorySnapshot.seq)).where(
                HistorySnapshot.policy_id == policy_id, HistorySnapshot.at <= moment
            )
        )
        or 0
    )
    hi = db.scalar(
        select(func.min(HistorySnapshot.seq)).where(
            HistorySnapshot.policy_id == policy_id, HistorySnapshot.at > moment
        )
    )
    hi = current if hi is None else hi - 1
    found = db.scalar(
        select(func.max(PolicyOp.seq)).where(
            PolicyOp.policy_id == policy_id,
            PolicyOp.seq > lo,
            PolicyOp.seq <= hi,
            PolicyOp.created_at <= moment,
        )
    )
    return found if found is not None else lo
