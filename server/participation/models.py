"""Tables for the co-production checks.

The "I statements" answers are anonymous by construction: an answer only adds one
to a count (statement_tallies), and who has answered is kept apart, without the
answer (check_responses), so each member answers once and nothing links the two.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow

# An "I statement" (model, service and API schema).
STATEMENT_CHARS = 300


class Statement(Base):
    """One "I statement" of a group's check, e.g. "I was listened to". Retired
    statements stay (their past results still mean something) but are not asked."""

    __tablename__ = "coproduction_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(STATEMENT_CHARS))
    position: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Statement {self.id} {self.text[:30]!r}>"


class StatementTally(Base):
    """How many answered agree, partly and disagree to one statement after one
    session. Counts only: no row per answer exists."""

    __tablename__ = "statement_tallies"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("coproduction_statements.id", ondelete="CASCADE"), primary_key=True
    )
    agree: Mapped[int] = mapped_column(Integer, default=0)
    partly: Mapped[int] = mapped_column(Integer, default=0)
    disagree: Mapped[int] = mapped_column(Integer, default=0)


class CheckResponse(Base):
    """That a member has answered a session's check (never what they answered), so
    they answer once. No time is kept, so order cannot be matched to the counts."""

    __tablename__ = "check_responses"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))


class LadderPlacement(Base):
    """Where one member places the work on a policy on the ladder of co-production,
    at one moment. Members place it again over time; the latest counts."""

    __tablename__ = "ladder_placements"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rung: Mapped[str] = mapped_column(String(20))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Learning(Base):
    """The facilitator's own words on what the group learned, for the monitoring
    record of a policy."""

    __tablename__ = "monitoring_learning"

    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
