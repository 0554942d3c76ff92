"""Session tables: the meeting itself, its agenda, and what each member has
reviewed before it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, UTCDateTime, utcnow

# Titles of a session and of an agenda item (model, service, form, API schema).
SESSION_TITLE_CHARS = 200
AGENDA_TITLE_CHARS = 300


class Meeting(Base):
    """A whole-group session. Starting it checkpoints every policy of the group;
    closing it writes the minutes (the decisions taken while it ran)."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(SESSION_TITLE_CHARS))
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
    """One of the facilitators' own lines on a session's agenda. Votes awaiting a
    decision are not stored here: server.meetings.agenda reads them as they are.
    A removed item is kept, marked, so notes on it still have a title."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(AGENDA_TITLE_CHARS))
    note: Mapped[str] = mapped_column(Text, default="")
    removed: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def key(self) -> str:
        """What notes on it are written against (a vote's entry is "vote:<id>")."""
        return f"item:{self.id}"


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


# --- a session, completed (issue 16): attendance, notes, actions ---------------------------


class Attendance(Base):
    """Whether a member came to a session, and how. One row per member and session;
    members without a row are simply not recorded yet."""

    __tablename__ = "meeting_attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))  # present, apologies, absent
    mode: Mapped[str | None] = mapped_column(String(12))  # in_person, online (present only)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])


class ItemNote(Base):
    """What was said about one agenda item, written during or after the session.
    Keyed by the item's key ("vote:12" or "item:7"), not the agenda row, so notes
    survive however the agenda is assembled."""

    __tablename__ = "meeting_item_notes"
    __table_args__ = (UniqueConstraint("meeting_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(40))
    text: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ActionItem(Base):
    """Something a member agreed to do: what, who, by when. Shown to that member and
    on every later session's page until someone marks it done."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meetings.id", ondelete="SET NULL"), index=True
    )
    what: Mapped[str] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    assignee = relationship("User", foreign_keys=[assignee_id])

    def __repr__(self) -> str:
        return f"<ActionItem {self.id} {'done' if self.done_at else 'open'}>"


# --- picking the date of the next session (issue 16) ---------------------------------------


class DatePoll(Base):
    """A facilitator's question "which of these dates suit you?" for the next
    session. Closing it may plan the session on the date chosen (`meeting_id`)."""

    __tablename__ = "date_polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))

    options = relationship(
        "DateOption", order_by="DateOption.starts_at", cascade="all, delete-orphan"
    )


class DateOption(Base):
    """One date and time offered in a date poll."""

    __tablename__ = "date_options"
    __table_args__ = (UniqueConstraint("poll_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(
        ForeignKey("date_polls.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DateAnswer(Base):
    """A member's answer for one date: yes, if need be, or no. One per member and
    date; answering again changes it."""

    __tablename__ = "date_answers"
    __table_args__ = (UniqueConstraint("option_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(
        ForeignKey("date_options.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(12))  # yes, if_need_be, no
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
