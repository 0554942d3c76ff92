"""Publishing tables.

- releases: v1, v2, ... of a policy. Each keeps the seq it was taken at (history can
  always replay it) and, frozen, the whole document as published (JSON of
  server.publishing.document.Document) and "what changed since" the release before,
  so later edits never change a release and reading one replays nothing.
- public_pages: whether a policy's releases can be read without signing in, at a
  stable address (/published/<slug>/latest). The row stays when the page is turned
  off, so the address answers 410 Gone rather than 404.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow


class Release(Base):
    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("policy_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column()  # 1 for v1
    seq: Mapped[int] = mapped_column()  # the policy right after this op
    note: Mapped[str] = mapped_column(Text, default="")
    # The checkpoint it was published from, if any (a name for people; seq decides).
    checkpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkpoints.id", ondelete="SET NULL")
    )
    document: Mapped[dict] = mapped_column(JSON)
    changes: Mapped[dict | None] = mapped_column(JSON)  # None for v1
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def label(self) -> str:
        return f"v{self.number}"

    def __repr__(self) -> str:
        return f"<Release policy={self.policy_id} v{self.number} seq={self.seq}>"


class PublicPage(Base):
    __tablename__ = "public_pages"

    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True
    )
    # Random, so a policy's public address says nothing about other policies.
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    is_public: Mapped[bool] = mapped_column(default=True)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<PublicPage policy={self.policy_id} {self.slug} public={self.is_public}>"
