"""Account tables. Secrets (sessions, tokens, reset links) are stored only as hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, UTCDateTime, utcnow

# Field limits, each written once: the model, the service, the form and the API
# schema all use these.
DISPLAY_NAME_CHARS = 80
TOKEN_NAME_CHARS = 80


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_CHARS))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # argon2; None: cannot sign in
    is_active: Mapped[bool] = mapped_column(default=True)  # False: disabled by an administrator
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Named in the "Written together by" credits of published policies; off until
    # the person turns it on (their account page). Roles are counted either way.
    credit_by_name: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Show open suggestions inside the section's text as a word diff (track changes),
    # not only in the margin; the person's choice, on their account page.
    suggestions_inline: Mapped[bool] = mapped_column(default=False, server_default=false())

    memberships = relationship("Membership", back_populates="user", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class AuthSession(Base):
    """A browser sign-in. The cookie holds a random token; signing out revokes the row,
    so every place that checks it (pages, API, open sockets) sees it at once."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<AuthSession {self.id} user={self.user_id}>"


class ApiToken(Base):
    """A token for programs: `Authorization: Bearer <token>`. Shown once, stored hashed."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_CHARS))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # first characters, to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.id} {self.prefix}… user={self.user_id}>"


class PasswordReset(Base):
    """A single-use, expiring link a facilitator hands to a member of their group."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<PasswordReset {self.id} user={self.user_id}>"
