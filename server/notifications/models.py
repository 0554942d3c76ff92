"""Notification tables: what each member was told, how they want email, and the
outbox of mail waiting to go.

A notification's `key` names the thing it is about (for example "mention:12"),
unique per member, so whatever announces it twice (a retried event, two server
processes running the same reminder job) tells nobody twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    key: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)  # plain words; templates escape it
    link: Mapped[str] = mapped_column(String(300))  # a path on this server, e.g. /votes/4
    # Things it names, each with its own link: [{"text", "link"}] (e.g. the votes a
    # member has not cast, in the reminder the day before a session).
    items: Mapped[list | None] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set once the notification is in an email (at once or in a daily digest), so a
    # digest never repeats one.
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "now", "digest" or "off": the member's choice when it was made.
    mail: Mapped[str] = mapped_column(String(10), default="off")


class MailChoice(Base):
    """A member's choice for one kind; a missing row means the kind's default."""

    __tablename__ = "mail_choices"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    choice: Mapped[str] = mapped_column(String(10))  # "now", "digest", "off"


class OutboxMail(Base):
    """One email, recorded (committed) before anyone tries to send it.

    A sender claims a row by setting `claimed_at` where it is unclaimed or its
    lease has run out, so one process sends it; `sent_at` is set right after the
    SMTP server accepted it. `key` makes recording idempotent (a digest for one
    member and day is recorded once however many processes build it)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    headers: Mapped[dict] = mapped_column(JSON, default=dict)  # e.g. List-Unsubscribe
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # gave up after retries
    last_error: Mapped[str | None] = mapped_column(Text)


class PendingEvent(Base):
    """A review or session event waiting to become notifications: written in the
    same transaction as the change (so it cannot be lost), turned into
    notifications just after, outside the request (so it costs the request one
    insert). Deleted in the transaction that makes its notifications."""

    __tablename__ = "notification_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "review" or "session"
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
