"""Hints the owning sub-group has set aside for a sentence."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow


class HintDismissal(Base):
    """A hint (by its code) dismissed for one sentence. It holds for every later
    version of the sentence: the sub-group decided this sentence is fine as it is
    in that respect, and rewording it should not bring the hint back."""

    __tablename__ = "hint_dismissals"
    __table_args__ = (UniqueConstraint("sentence_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sentence_id: Mapped[int] = mapped_column(
        ForeignKey("sentences.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(20))
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<HintDismissal sentence={self.sentence_id} {self.code}>"
