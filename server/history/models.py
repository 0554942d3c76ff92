"""History tables. The op log (policy_ops) and the exact text of every sentence
version (sentence_versions) are the record; these tables make it readable and
fast to read:

- revisions: the op log grouped for people. One row per op, except that a run of
  text edits by one author to one sentence is one row (see server.history.recording).
- history_snapshots: the whole policy every SNAPSHOT_EVERY ops, so reading any
  point replays at most that many ops (Etherpad's key revisions).
- checkpoints: named points ("Draft for session 3"), stored as a seq.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow

# A checkpoint's name (model, service and API schema).
CHECKPOINT_NAME_CHARS = 200


class Revision(Base):
    """A readable change: ops first_seq..last_seq of a policy, by one author."""

    __tablename__ = "revisions"
    __table_args__ = (
        Index("ix_revisions_policy_seq", "policy_id", "first_seq"),
        Index("ix_revisions_policy_author_seq", "policy_id", "author_id", "first_seq"),
        Index("ix_revisions_section_seq", "section_id", "first_seq"),
        # Also finds a sentence's latest revision, which a new edit may extend.
        Index("ix_revisions_sentence_seq", "sentence_id", "first_seq"),
        Index("ix_revisions_other_sentence", "other_sentence_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # the op kind: edit, insert, section_move...
    cause: Mapped[str | None] = mapped_column(String(40))  # "restore", "proposal:12"; None: typed
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    part_id: Mapped[int | None] = mapped_column(ForeignKey("parts.id", ondelete="CASCADE"))
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    sentence_id: Mapped[int | None] = mapped_column(ForeignKey("sentences.id", ondelete="CASCADE"))
    # split: the new second half; merge: the sentence merged away into sentence_id.
    other_sentence_id: Mapped[int | None] = mapped_column(
        ForeignKey("sentences.id", ondelete="CASCADE")
    )
    first_seq: Mapped[int] = mapped_column(Integer)
    last_seq: Mapped[int] = mapped_column(Integer)
    # The sentence's version before and after (its text is in sentence_versions).
    from_version: Mapped[int | None] = mapped_column(Integer)
    to_version: Mapped[int | None] = mapped_column(Integer)
    op_count: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Revision {self.id} {self.kind} seq {self.first_seq}-{self.last_seq}>"


class HistorySnapshot(Base):
    """The whole policy (live parts, sections and sentences) right after op `seq`."""

    __tablename__ = "history_snapshots"
    __table_args__ = (Index("ix_history_snapshots_policy_at", "policy_id", "at"),)

    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    # When op `seq` was committed (the policy's creation for seq 0): maps a moment
    # to a seq without scanning the op log.
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # zlib-compressed JSON (server.history.replay.PolicyState.dump): a third of the size.
    state: Mapped[bytes] = mapped_column(LargeBinary)

    def __repr__(self) -> str:
        return f"<HistorySnapshot policy={self.policy_id} seq={self.seq}>"


class Checkpoint(Base):
    """A named point in a policy's history."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(CHECKPOINT_NAME_CHARS))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The whole-group session that made it when it started (server/meetings).
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )

    def __repr__(self) -> str:
        return f"<Checkpoint {self.id} {self.name!r} seq={self.seq}>"
