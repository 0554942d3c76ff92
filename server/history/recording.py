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
one op also writes a snapshot (server.history.store).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from server import events
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


# Built once: the live edit path runs them on every edit.
_LATEST = (
    select(Revision.id)
    .where(Revision.sentence_id == bindparam("sentence"))
    .order_by(Revision.first_seq.desc())
    .limit(1)
    .scalar_subquery()
)
_EXTEND = (
    update(Revision)
    .where(
        Revision.id == _LATEST,
        Revision.kind == "edit",
        Revision.cause.is_(None),
        Revision.author_id == bindparam("author"),
        Revision.to_version == bindparam("previous"),
        Revision.ended_at >= bindparam("paused_after"),
        Revision.started_at >= bindparam("started_after"),
        Revision.op_count < bindparam("max_ops"),
    )
    .values(
        last_seq=bindparam("new_seq"),
        to_version=bindparam("new_version"),
        ended_at=bindparam("at"),
        op_count=Revision.op_count + 1,
    )
    .execution_options(synchronize_session=False)
)
_ADD = Revision.__table__.insert()
_FIELDS = (
    "section_id",
    "part_id",
    "sentence_id",
    "other_sentence_id",
    "from_version",
    "to_version",
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
        db.execute(
            _ADD,
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
    result = db.execute(
        _EXTEND,
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
    return result.rowcount == 1


def _on_op(db: Session, evt: PolicyChanged) -> None:
    note(db, evt.policy_id, evt.message, evt.author_id, evt.at)


def install() -> None:
    """Record every op as it is written (idempotent)."""
    events.within(PolicyChanged, _on_op)
