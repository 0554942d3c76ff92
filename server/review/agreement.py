"""Agreeing a section: its sub-group marks it ready, the group votes, and the
agreed version is kept. Later edits are compared with that version, so a page can
flag changes to agreed text (the section stays agreed; the flags say what moved)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import utcnow
from server.policies.models import Section, SectionStatus
from server.policies.oplog import Origin
from server.policies.services import section_changed, sentences_of
from server.review.changes import announce
from server.review.models import Agreement, Outcome, Vote


def snapshot(db: Session, section: Section) -> list[dict]:
    return [{"id": s.id, "text": s.text} for s in sentences_of(db, [section.id])[section.id]]


def mark_ready(db: Session, section: Section, by_id: int | None) -> None:
    section.status = SectionStatus.READY_FOR_REVIEW
    db.flush()
    section_changed(db, section, by_id, changed=("status",))
    announce(db, section.policy_id, section.id, "section", section.id, "ready")


def decide(db: Session, vote: Vote) -> None:
    """Carry out an agreement vote: keep the agreed version, or go back to drafting."""
    section = db.get(Section, vote.section_id)
    if vote.outcome == Outcome.APPROVED:
        db.add(
            Agreement(
                section_id=section.id,
                vote_id=vote.id,
                sentences=vote.snapshot,
                agreed_at=vote.closed_at or utcnow(),
            )
        )
        section.status = SectionStatus.AGREED
    else:
        section.status = SectionStatus.DRAFTING
    db.flush()
    # Named as the vote's doing in history (nobody, when its rules closed it).
    section_changed(
        db, section, vote.closed_by_id, Origin(cause=f"vote:{vote.id}"), changed=("status",)
    )
    announce(db, section.policy_id, section.id, "section", section.id, section.status.value)


def latest(db: Session, section_id: int) -> Agreement | None:
    return db.scalar(
        select(Agreement)
        .where(Agreement.section_id == section_id)
        .order_by(Agreement.agreed_at.desc(), Agreement.id.desc())
        .limit(1)
    )


@dataclass
class SinceAgreed:
    """How today's text differs from the agreed version."""

    agreement: Agreement | None
    changed: dict[int, str] = field(default_factory=dict)  # sentence id -> agreed text
    added: set[int] = field(default_factory=set)  # sentences not in the agreed version
    removed: list[dict] = field(default_factory=list)  # agreed sentences now gone

    @property
    def any(self) -> bool:
        return bool(self.changed or self.added or self.removed)


def since_agreed(db: Session, section: Section, live: list | None = None) -> SinceAgreed:
    found = latest(db, section.id)
    if found is None:
        return SinceAgreed(None)
    live = live if live is not None else sentences_of(db, [section.id])[section.id]
    agreed = {s["id"]: s["text"] for s in found.sentences}
    out = SinceAgreed(found)
    for s in live:
        if s.id not in agreed:
            out.added.add(s.id)
        elif s.text != agreed[s.id]:
            out.changed[s.id] = agreed[s.id]
    live_ids = {s.id for s in live}
    out.removed = [s for s in found.sentences if s["id"] not in live_ids]
    return out
