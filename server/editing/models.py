"""Live clients and the requests they made, so a change is applied once however
often it is sent (idempotence by client id and ref)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow


class Client(Base):
    """A client id (chosen by a page or program at `join_policy`) and the person it
    belongs to: the first to use it. Nobody else can use it, so the `origin` of an
    op names one person's client."""

    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ClientRequest(Base):
    """The reply given to one request (client id, ref) that changed a policy: a
    resend of it (after a reconnect) gets this reply again and changes nothing."""

    __tablename__ = "client_requests"

    client_id: Mapped[str] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    ref: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    reply: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
