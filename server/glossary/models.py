"""Glossary tables: the terms of each group, and the list of changes to them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow

# A glossary term (model, service, form and API schema).
TERM_CHARS = 80


class TermStatus(enum.StrEnum):
    SUGGESTED = "suggested"  # waiting for a facilitator
    ACCEPTED = "accepted"  # in the glossary: marked in the text, travels with exports


class GlossaryTerm(Base):
    __tablename__ = "glossary_terms"
    # `term_key` is the term in lower case: "EHCP" and "ehcp" are the same term.
    __table_args__ = (UniqueConstraint("group_id", "term_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    term: Mapped[str] = mapped_column(String(TERM_CHARS))
    term_key: Mapped[str] = mapped_column(String(TERM_CHARS))
    explanation: Mapped[str] = mapped_column(Text)
    status: Mapped[TermStatus] = mapped_column(
        Enum(
            TermStatus,
            name="glossary_term_status",
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    from_starter: Mapped[bool] = mapped_column(default=False)  # adopted from Codraft's list
    suggested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def accepted(self) -> bool:
        return self.status == TermStatus.ACCEPTED

    def __repr__(self) -> str:
        return f"<GlossaryTerm {self.id} {self.term!r} {self.status}>"


class GlossaryChange(Base):
    """One line of the glossary's history: who did what to which term, and when.
    The term is copied as text so the line survives the term's removal."""

    __tablename__ = "glossary_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    term: Mapped[str] = mapped_column(String(TERM_CHARS))
    action: Mapped[str] = mapped_column(String(20))  # suggested, accepted, changed, ...
    detail: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<GlossaryChange {self.id} {self.action} {self.term!r}>"
