"""Live connections. A row lives as long as a socket; `seen_at` is refreshed by its
server process, so rows of a process that died are ignored and later swept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, UTCDateTime, utcnow


class Connection(Base):
    __tablename__ = "connections"

    sid: Mapped[str] = mapped_column(String(64), primary_key=True)  # Socket.IO session id
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Exactly one of these: the credential the socket connected with.
    auth_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    api_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True
    )
    policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[int | None] = mapped_column(ForeignKey("sections.id", ondelete="SET NULL"))
    sentence_id: Mapped[int | None] = mapped_column(ForeignKey("sentences.id", ondelete="SET NULL"))
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")

    def __repr__(self) -> str:
        return f"<Connection {self.sid} user={self.user_id} policy={self.policy_id}>"


class CredentialEpoch(Base):
    """One row: a counter moved by every change that may end a live socket's
    credential (server.presence.credential_epoch says which and why)."""

    __tablename__ = "credential_epoch"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
