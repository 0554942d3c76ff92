"""The op log: every committed change to a policy's text gets the next number.

Bumping `policies.seq` inside the change's own transaction both numbers the op
and serialises writers to one policy (a row lock on PostgreSQL, the write lock
on SQLite), so numbers follow commit order with no gaps. Live clients apply ops
in that order and replay what they missed after a reconnect.

In a batch of live changes (events.begin_batch; the batch already holds the
policy's row or the database's write lock from its start) the numbers are
counted in the session and the ops written in one statement before the commit
(`_next_seq`, `_flush`): two statements per batch instead of two per op.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from server import driver_sql, events
from server.db import utcnow
from server.events import publish
from server.policies.models import Policy, PolicyOp


@dataclass(frozen=True)
class PolicyChanged:
    """An op, numbered and stored: broadcast to everyone watching the policy, sender
    included, and recorded as history in the same transaction (server.history.
    recording listens with events.within)."""

    policy_id: int
    message: dict
    author_id: int | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Origin:
    """Which live client asked (client_id, its request ref), so it can recognise
    its own op in the stream. HTTP and other changes have no client. `cause` says
    why a change was made when it was not typed ("proposal:12", "restore"), so
    history and the editor can say so."""

    client_id: str | None = None
    ref: int | None = None
    cause: str | None = None


# Built once, on the tables rather than the mapped classes, and run on the driver
# (server.driver_sql): every live edit runs them, building a statement costs about
# as much as running it, and an ORM-enabled one (`update(Policy)`) goes through the
# ORM's bulk machinery on every execution: measured 7x the time of the same Core
# UPDATE ... RETURNING on SQLite.
_POLICIES = Policy.__table__
_NEXT_SEQ = driver_sql.Statement(
    update(_POLICIES)
    .where(_POLICIES.c.id == bindparam("policy"))
    .values(seq=_POLICIES.c.seq + 1)
    .returning(_POLICIES.c.seq)
)
_ADD_OP = driver_sql.Statement(
    PolicyOp.__table__.insert(), keys=("policy_id", "seq", "message", "author_id", "created_at")
)


_LOCK = driver_sql.Statement(
    select(_POLICIES.c.id).where(_POLICIES.c.id == bindparam("policy")).with_for_update()
)


def lock(db: Session, policy_id: int) -> None:
    """Take the policy's op-log row first, before any sentence row (PostgreSQL).

    A batch of changes updates sentences and the op log's counter in turn. Two
    processes writing batches to one policy used to take those rows in different
    orders and deadlock (PostgreSQL finds that only after deadlock_timeout, 1 s,
    and the whole batch is tried again): seen in the four-process test. Taking
    this row first makes batches on one policy queue across processes instead.
    SQLite needs nothing: BEGIN IMMEDIATE already locks the whole database."""
    _LOCK.run(db, {"policy": policy_id})


_SEQ = driver_sql.Statement(select(_POLICIES.c.seq).where(_POLICIES.c.id == bindparam("policy")))
_SET_SEQ = driver_sql.Statement(  # a list of parameters is one executemany
    update(_POLICIES).where(_POLICIES.c.id == bindparam("policy")).values(seq=bindparam("new_seq"))
)
JOURNAL = "oplog"


def _next_seq(db: Session, policy_id: int) -> int:
    """The op's number. In a batch (events.begin_batch) it is counted in the
    session: the policy's seq read once, plus the ops of this batch kept so far
    (a savepoint rolled back drops its ops, so the count, and the numbers, stay
    gap-free); the row is written with the ops before the commit (`_flush`)."""
    if not events.batched(db):
        return _NEXT_SEQ.scalar(db, {"policy": policy_id})
    kept = events.journal(db, JOURNAL)
    base = kept.memo.get(policy_id)
    if base is None:
        base = kept.memo[policy_id] = _SEQ.scalar(db, {"policy": policy_id})
    return base + 1 + sum(1 for row in kept.items if row["policy_id"] == policy_id)


def _flush(db: Session) -> None:
    """Write the batch's unwritten ops in one statement and each policy's seq."""
    kept = events.journal(db, JOURNAL)
    rows = kept.unwritten()
    if not rows:
        return
    _ADD_OP.run(db, rows)
    last: dict[int, int] = {}
    for row in rows:
        last[row["policy_id"]] = row["seq"]
    _SET_SEQ.run(db, [{"policy": p, "new_seq": seq} for p, seq in last.items()])
    kept.flushed = len(kept.items)


events.deferred(_flush)


def record(
    db: Session, policy_id: int, message: dict, author_id: int | None, origin: Origin | None = None
) -> dict:
    seq = _next_seq(db, policy_id)
    loaded = db.identity_map.get(db.identity_key(Policy, policy_id))
    if loaded is not None:  # keep a Policy already in this session in step
        set_committed_value(loaded, "seq", seq)
    origin = origin or Origin()
    # `by`: whose change it is, so a page can say who deleted the sentence you were
    # in, or put back an earlier text, rather than "someone" (docs/protocol.md).
    full = {"seq": seq, "origin": origin.client_id, "ref": origin.ref, "by": author_id, **message}
    if origin.cause:
        full["cause"] = origin.cause
    now = utcnow()
    row = {
        "policy_id": policy_id,
        "seq": seq,
        "message": full,
        "author_id": author_id,
        "created_at": now,
    }
    if events.batched(db):
        events.journal(db, JOURNAL).items.append(row)
    else:
        _ADD_OP.run(db, row)
    publish(db, PolicyChanged(policy_id, full, author_id, now))  # history, then broadcast
    return full


def current_seq(db: Session, policy_id: int) -> int:
    if events.batched(db):
        _flush(db)  # the batch's ops so far, so the row says where it stands
    return _SEQ.scalar(db, {"policy": policy_id}) or 0


def ops_since(db: Session, policy_id: int, since: int, limit: int = 5000) -> list[dict] | None:
    """The ops after `since`, or None if they are not all kept (send a snapshot)."""
    rows = list(
        db.scalars(
            select(PolicyOp.message)
            .where(PolicyOp.policy_id == policy_id, PolicyOp.seq > since)
            .order_by(PolicyOp.seq)
            .limit(limit + 1)
        )
    )
    if len(rows) > limit or (rows and rows[0]["seq"] != since + 1):
        return None
    return rows
