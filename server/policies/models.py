"""Policy tables. Order is kept by fractional-index keys (`position`), so a part,
section or sentence can be inserted anywhere without renumbering the rest.
Sections and sentences are never deleted outright: a tombstone (`deleted_at`)
keeps history, comments and late edits attached to something."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, UTCDateTime, position_type, utcnow

# Titles (model, service, form, API schema and socket schema).
POLICY_TITLE_CHARS = 200
PART_TITLE_CHARS = 200
SECTION_TITLE_CHARS = 300


class SectionKind(enum.StrEnum):
    TEXT = "text"
    FAQ = "faq"  # the title is the question; the sentences are its answer


class SectionStatus(enum.StrEnum):
    DRAFTING = "drafting"
    READY_FOR_REVIEW = "ready_for_review"
    AGREED = "agreed"


def _enum(cls, name):
    return Enum(
        cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class Policy(Base):
    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(POLICY_TITLE_CHARS))
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Number of the last change to the policy's text; live clients apply changes in
    # this order whatever order the network delivers them in.
    seq: Mapped[int] = mapped_column(default=0, server_default="0")

    group = relationship("Group")
    parts = relationship(
        "Part",
        back_populates="policy",
        cascade="all, delete-orphan",
        order_by="[Part.position, Part.id]",
    )

    def __repr__(self) -> str:
        return f"<Policy {self.id} {self.title!r}>"


class Part(Base):
    __tablename__ = "parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(PART_TITLE_CHARS))
    intro: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[str] = mapped_column(position_type())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    policy: Mapped[Policy] = relationship(back_populates="parts")
    sections = relationship(
        "Section",
        back_populates="part",
        order_by="[Section.position, Section.id]",
        primaryjoin="and_(Section.part_id == Part.id, Section.deleted_at.is_(None))",
        viewonly=True,
    )

    @property
    def is_faq(self) -> bool:
        """A part of questions and answers: most of its sections are questions, or
        (while empty) its title says so. A new section in it starts as a question."""
        if self.sections:
            return sum(s.is_faq for s in self.sections) * 2 > len(self.sections)
        return "question" in self.title.lower() or "faq" in self.title.lower()

    def __repr__(self) -> str:
        return f"<Part {self.id} {self.title!r}>"


class Section(Base):
    __tablename__ = "sections"
    __table_args__ = (Index("ix_sections_part_position", "part_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # policy_id duplicates part.policy_id so permission checks need one lookup.
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), index=True
    )
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id", ondelete="CASCADE"))
    subgroup_id: Mapped[int] = mapped_column(
        ForeignKey("subgroups.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[SectionKind] = mapped_column(
        _enum(SectionKind, "section_kind"), default=SectionKind.TEXT
    )
    title: Mapped[str] = mapped_column(String(SECTION_TITLE_CHARS))
    position: Mapped[str] = mapped_column(position_type())
    status: Mapped[SectionStatus] = mapped_column(
        _enum(SectionStatus, "section_status"), default=SectionStatus.DRAFTING
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    part: Mapped[Part] = relationship(back_populates="sections")
    subgroup = relationship("Subgroup")
    sentences = relationship(
        "Sentence",
        order_by="[Sentence.position, Sentence.id]",
        viewonly=True,
        primaryjoin="and_(Sentence.section_id == Section.id, Sentence.deleted_at.is_(None))",
    )

    @property
    def is_faq(self) -> bool:
        return self.kind == SectionKind.FAQ

    def __repr__(self) -> str:
        return f"<Section {self.id} {self.title!r}>"


class Sentence(Base):
    """The unit of editing. `version` rises by one on every accepted text change and
    is what live-editing clients send patches against."""

    __tablename__ = "sentences"
    __table_args__ = (Index("ix_sentences_section_position", "section_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("sections.id", ondelete="CASCADE"))
    position: Mapped[str] = mapped_column(position_type())
    text: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when merged into the previous sentence, so a late edit can say where it went.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("sentences.id", ondelete="SET NULL")
    )

    section: Mapped[Section] = relationship()

    def __repr__(self) -> str:
        return f"<Sentence {self.id} v{self.version} {self.text[:30]!r}>"


class PolicyOp(Base):
    """One committed change to a policy's text, as broadcast to live clients. A client
    that reconnects asks for the ops after the last seq it applied and replays them."""

    __tablename__ = "policy_ops"

    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    message: Mapped[dict] = mapped_column(JSON)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<PolicyOp policy={self.policy_id} seq={self.seq} {self.message.get('op')}>"


class SentenceVersion(Base):
    """The exact text of every version of a sentence. A live edit made against an
    older version is merged three ways with it; history builds on it too."""

    __tablename__ = "sentence_versions"

    sentence_id: Mapped[int] = mapped_column(
        ForeignKey("sentences.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<SentenceVersion {self.sentence_id} v{self.version}>"
