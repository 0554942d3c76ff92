"""Session tables: the meeting itself, its agenda, and what each member has
reviewed before it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, UTCDateTime, utcnow


class Meeting(Base):
    """A whole-group session. Starting it checkpoints every policy of the group;
    closing it writes the minutes (the decisions taken while it ran)."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it is planned for
    place: Mapped[str] = mapped_column(String(500), default="")  # a room or a link
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    minutes: Mapped[dict | None] = mapped_column(JSON)

    agenda = relationship(
        "AgendaItem", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )

    @property
    def state(self) -> str:
        if self.closed_at is not None:
            return "closed"
        return "running" if self.started_at is not None else "planned"

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.title!r} {self.state}>"


class AgendaItem(Base):
    """One line of a session's agenda: a vote awaiting decision, or a facilitator's
    own item (a vote id of None). A removed vote's item is kept, marked, so the
    agenda does not bring it back."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    vote_id: Mapped[int | None] = mapped_column(ForeignKey("votes.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")
    removed: Mapped[bool] = mapped_column(Boolean, default=False)

    vote = relationship("Vote")


class ReviewMark(Base):
    """A member has reviewed one item as it was (`stamp`). When the thing changes
    again its stamp changes, so the item shows as not reviewed."""

    __tablename__ = "review_marks"
    __table_args__ = (UniqueConstraint("user_id", "group_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(60))  # "sentence:12", "thread:3", "vote:5"...
    stamp: Mapped[str] = mapped_column(String(200))
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
