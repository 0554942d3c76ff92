"""The op log: every committed change to a policy's text gets the next number.

Bumping `policies.seq` inside the change's own transaction both numbers the op
and serialises writers to one policy (a row lock on PostgreSQL, the write lock
on SQLite), so numbers follow commit order with no gaps. Live clients apply ops
in that order and replay what they missed after a reconnect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

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


# Built once: every live edit runs them, and building a statement costs about as
# much as running it.
_NEXT_SEQ = (
    update(Policy)
    .where(Policy.id == bindparam("policy"))
    .values(seq=Policy.seq + 1)
    .returning(Policy.seq)
)
_ADD_OP = PolicyOp.__table__.insert()


_LOCK = select(Policy.id).where(Policy.id == bindparam("policy")).with_for_update()


def lock(db: Session, policy_id: int) -> None:
    """Take the policy's op-log row first, before any sentence row (PostgreSQL).

    A batch of changes updates sentences and the op log's counter in turn. Two
    processes writing batches to one policy used to take those rows in different
    orders and deadlock (PostgreSQL finds that only after deadlock_timeout, 1 s,
    and the whole batch is tried again): seen in the four-process test. Taking
    this row first makes batches on one policy queue across processes instead.
    SQLite needs nothing: BEGIN IMMEDIATE already locks the whole database."""
    db.execute(_LOCK, {"policy": policy_id})


def record(
    db: Session, policy_id: int, message: dict, author_id: int | None, origin: Origin | None = None
) -> dict:
    seq = db.execute(_NEXT_SEQ, {"policy": policy_id}).scalar_one()
    loaded = db.identity_map.get(db.identity_key(Policy, policy_id))
    if loaded is not None:  # keep a Policy already in this session in step
        set_committed_value(loaded, "seq", seq)
    origin = origin or Origin()
    full = {"seq": seq, "origin": origin.client_id, "ref": origin.ref, **message}
    if origin.cause:
        full["cause"] = origin.cause
    now = utcnow()
    db.execute(
        _ADD_OP,
        {
            "policy_id": policy_id,
            "seq": seq,
            "message": full,
            "author_id": author_id,
            "created_at": now,
        },
    )
    publish(db, PolicyChanged(policy_id, full, author_id, now))  # history, then broadcast
    return full


def current_seq(db: Session, policy_id: int) -> int:
    return db.scalar(select(Policy.seq).where(Policy.id == policy_id)) or 0


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
