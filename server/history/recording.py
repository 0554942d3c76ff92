"""Turn each committed op into history as it is recorded: server.policies.oplog
announces each op (PolicyChanged) and this listens inside the op's transaction
(events.within; `install` is called by server/models.py), so policies need not
import history.

Coalescing: keystroke-level edits become readable revisions. A text edit extends
the sentence's latest revision when that revision is a typed edit (no cause) by
the same author, ends at the version just before this one (nobody else changed
the sentence in between), its last edit was less than PAUSE ago, it started less
than SPAN ago and holds fewer than MAX_OPS ops. Otherwise the op opens a new
revision. Every version's exact text stays in sentence_versions, so a revision
loses nothing: it names its first and last version.

Cost on the hot path: one UPDATE through the sentence index (the common case,
someone typing); when it matches nothing, one INSERT. Every SNAPSHOT_EVERY ops,
one op also writes a snapshot (server.history.store). In a batch of live changes
(events.begin_batch) typed edits are kept and recorded together just before the
commit (`_flush`): one SELECT of the sentences' latest revisions, the same rules
applied in memory, one UPDATE and one INSERT (executemany) for the whole batch.
tests/realtime/test_batched_history.py checks both ways leave the same history.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from server import driver_sql, events
from server.history import store
from server.history.models import Revision
from server.policies.oplog import PolicyChanged

PAUSE = timedelta(seconds=60)
SPAN = timedelta(minutes=10)
MAX_OPS = 500


def revision_fields(message: dict) -> dict:
    """Which part, section and sentences an op touched, and the versions it made."""
    kind = message["op"]
    out: dict = {"section_id": message.get("section_id")}
    if kind == "edit":
        out.update(
            sentence_id=message["id"],
            from_version=message["version"] - 1,
            to_version=message["version"],
        )
    elif kind == "insert":
        out.update(sentence_id=message["sentence"]["id"], to_version=message["sentence"]["version"])
    elif kind in ("delete", "move"):
        out.update(sentence_id=message["id"])
    elif kind == "split":
        first = message["sentence"]
        out.update(
            sentence_id=first["id"],
            other_sentence_id=message["new"]["id"],
            from_version=first["version"] - 1,
            to_version=first["version"],
        )
    elif kind == "merge":
        into = message["into"]
        out.update(
            sentence_id=into["id"],
            other_sentence_id=message["id"],
            from_version=into["version"] - 1,
            to_version=into["version"],
        )
    elif kind == "part_insert":
        out.update(part_id=message["part"]["id"])
    elif kind == "part_update":
        out.update(part_id=message["id"])
    return out


# Built once, on the table rather than the mapped class: the live edit path runs
# them on every edit, and an ORM-enabled statement (`update(Revision)`) goes
# through the ORM's bulk machinery on every execution, several times the cost of
# the same Core statement.
_REVISIONS = Revision.__table__
_LATEST = (
    select(_REVISIONS.c.id)
    .where(_REVISIONS.c.sentence_id == bindparam("sentence"))
    .order_by(_REVISIONS.c.first_seq.desc())
    .limit(1)
    .scalar_subquery()
)
_EXTEND = driver_sql.Statement(
    update(_REVISIONS)
    .where(
        _REVISIONS.c.id == _LATEST,
        _REVISIONS.c.kind == "edit",
        _REVISIONS.c.cause.is_(None),
        _REVISIONS.c.author_id == bindparam("author"),
        _REVISIONS.c.to_version == bindparam("previous"),
        _REVISIONS.c.ended_at >= bindparam("paused_after"),
        _REVISIONS.c.started_at >= bindparam("started_after"),
        _REVISIONS.c.op_count < bindparam("max_ops"),
    )
    .values(
        last_seq=bindparam("new_seq"),
        to_version=bindparam("new_version"),
        ended_at=bindparam("at"),
        op_count=_REVISIONS.c.op_count + 1,
    )
)
_FIELDS = (
    "section_id",
    "part_id",
    "sentence_id",
    "other_sentence_id",
    "from_version",
    "to_version",
)
_ADD = driver_sql.Statement(
    _REVISIONS.insert(),
    keys=(
        "policy_id",
        "kind",
        "cause",
        "author_id",
        "first_seq",
        "last_seq",
        "op_count",
        "started_at",
        "ended_at",
        *_FIELDS,
    ),
)


def note(db: Session, policy_id: int, message: dict, author_id: int | None, at: datetime) -> None:
    """Record op `message` (already numbered) in the revisions, and snapshot if due."""
    seq, kind, cause = message["seq"], message["op"], message.get("cause")
    if not (
        kind == "edit"
        and author_id is not None
        and cause is None
        and _extend(db, message, author_id, at)
    ):
        row = dict.fromkeys(_FIELDS)
        row.update(revision_fields(message))
        _ADD.run(
            db,
            {
                "policy_id": policy_id,
                "kind": kind,
                "cause": cause,
                "author_id": author_id,
                "first_seq": seq,
                "last_seq": seq,
                "op_count": 1,
                "started_at": at,
                "ended_at": at,
                **row,
            },
        )
    if seq % store.SNAPSHOT_EVERY == 0:
        store.take_snapshot(db, policy_id, seq, at)


def _extend(db: Session, message: dict, author_id: int, at: datetime) -> bool:
    version = message["version"]
    written = _EXTEND.run(
        db,
        {
            "sentence": message["id"],
            "author": author_id,
            "previous": version - 1,
            "paused_after": at - PAUSE,
            "started_after": at - SPAN,
            "new_seq": message["seq"],
            "new_version": version,
            "at": at,
            "max_ops": MAX_OPS,
        },
    )
    return written == 1


# --- in a batch: typed edits kept and recorded together before the commit ----------------

JOURNAL = "history"
_COLUMNS = (
    _REVISIONS.c.id,
    _REVISIONS.c.sentence_id,
    _REVISIONS.c.kind,
    _REVISIONS.c.cause,
    _REVISIONS.c.author_id,
    _REVISIONS.c.to_version,
    _REVISIONS.c.started_at,
    _REVISIONS.c.ended_at,
    _REVISIONS.c.op_count,
)
# One sentence at a time, on the driver: an index seek each (sentence_id, first_seq),
# where one statement for the batch's sentences needs an IN list, which SQLAlchemy
# renders afresh on every run (it cost more than the few seeks).
_LATEST_ONE = driver_sql.Statement(
    select(*_COLUMNS)
    .where(_REVISIONS.c.sentence_id == bindparam("sentence"))
    .order_by(_REVISIONS.c.first_seq.desc())
    .limit(1)
)


def _deferrable(db: Session, message: dict) -> bool:
    """A typed edit in a batch waits for the batch's end. Anything else is recorded
    now, after what was kept: a split or merge because the edits after it read its
    revision (editing.services._base_text), and a snapshot's op because the
    snapshot replays the op log up to it."""
    return (
        message["op"] == "edit"
        and message["seq"] % store.SNAPSHOT_EVERY != 0
        and events.batched(db)
    )


def _on_op(db: Session, evt: PolicyChanged) -> None:
    if _deferrable(db, evt.message):
        events.journal(db, JOURNAL).items.append(evt)
        return
    if events.batched(db):
        events.flush(db)  # the ops and revisions kept so far come first
    note(db, evt.policy_id, evt.message, evt.author_id, evt.at)


def _can_extend(rev: dict, message: dict, author_id: int | None, at: datetime) -> bool:
    """`_EXTEND`'s conditions, on a revision held in memory."""
    return (
        author_id is not None
        and message.get("cause") is None
        and rev["kind"] == "edit"
        and rev["cause"] is None
        and rev["author_id"] == author_id
        and rev["to_version"] == message["version"] - 1
        and rev["ended_at"] >= at - PAUSE
        and rev["started_at"] >= at - SPAN
        and rev["op_count"] < MAX_OPS
    )


def _flush(db: Session) -> None:
    """Record the batch's kept edits as `note` would have one by one: each sentence's
    latest revision read once, extended or followed in memory, then one UPDATE
    (executemany) for the revisions that existed and one INSERT for the new ones."""
    kept = events.journal(db, JOURNAL)
    evts = kept.unwritten()
    if not evts:
        return
    latest: dict[int, dict] = {}
    for sentence in sorted({evt.message["id"] for evt in evts}):
        row = _LATEST_ONE.first(db, {"sentence": sentence})
        if row is not None:
            latest[sentence] = row._asdict()
    changed: dict[int, dict] = {}  # revision id -> the revision, for those that existed
    new: list[dict] = []
    for evt in evts:
        message, at, seq = evt.message, evt.at, evt.message["seq"]
        rev = latest.get(message["id"])
        if rev is not None and _can_extend(rev, message, evt.author_id, at):
            rev.update(last_seq=seq, to_version=message["version"], ended_at=at)
            rev["op_count"] += 1
            if rev.get("id") is not None:
                changed[rev["id"]] = rev
            continue
        row = dict.fromkeys(_FIELDS)
        row.update(revision_fields(message))
        row.update(
            policy_id=evt.policy_id,
            kind=message["op"],
            cause=message.get("cause"),
            author_id=evt.author_id,
            first_seq=seq,
            last_seq=seq,
            op_count=1,
            started_at=at,
            ended_at=at,
        )
        new.append(row)
        latest[message["id"]] = row
    if changed:
        _SET.run(
            db,
            [
                {
                    "rid": r["id"],
                    "new_seq": r["last_seq"],
                    "new_version": r["to_version"],
                    "at": r["ended_at"],
                    "ops": r["op_count"],
                }
                for r in changed.values()
            ],
        )
    if new:
        _ADD.run(db, new)
    kept.flushed = len(kept.items)


_SET = driver_sql.Statement(  # a list of parameters is one executemany
    update(_REVISIONS)
    .where(_REVISIONS.c.id == bindparam("rid"))
    .values(
        last_seq=bindparam("new_seq"),
        to_version=bindparam("new_version"),
        ended_at=bindparam("at"),
        op_count=bindparam("ops"),
    )
)


def install() -> None:
    """Record every op as it is written (idempotent)."""
    events.within(PolicyChanged, _on_op)
    events.deferred(_flush)
