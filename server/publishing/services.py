"""Releases and the public page. No Flask here; callers authorise first
(server.access: any member reads and exports, facilitators publish and choose
whether the page is public).

A release freezes the document as it was published (Document JSON) and what
changed since the release before it, so nothing done to the policy afterwards,
even a renamed section, changes what v1 says. One thing can change: a person who
withdraws their agreement to be named is no longer named (release_document).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from server import events
from server.accounts.models import User
from server.db import utcnow
from server.errors import Gone, InvalidInput, NotFound
from server.history import services as history
from server.history import store
from server.policies.models import Part, Policy, Section, SectionStatus
from server.publishing import build, changes
from server.publishing.document import Document
from server.publishing.models import PublicPage, Release
from server.text.clean import clean_block

MAX_NOTE = 1000
FORMATS = ("html", "md", "docx", "odt", "pdf")


def _note(raw: str | None) -> str:
    note = clean_block(raw or "")
    if len(note) > MAX_NOTE:
        raise InvalidInput(
            f"Keep the note to {MAX_NOTE} characters or fewer.",
            fields={"note": [f"At most {MAX_NOTE} characters."]},
        )
    return note


# --- releases ---------------------------------------------------------------------------


def sections_not_agreed(db: Session, policy_id: int) -> tuple[int, int]:
    """How many of the policy's sections the group has not agreed, of how many: said
    before publishing, which cannot be undone."""
    rows = db.execute(
        select(Section.status, func.count())
        .join(Part, Part.id == Section.part_id)
        .where(Part.policy_id == policy_id, Section.deleted_at.is_(None))
        .group_by(Section.status)
    ).all()
    total = sum(n for _status, n in rows)
    agreed = sum(n for status, n in rows if status == SectionStatus.AGREED)
    return total - agreed, total


def releases_of(db: Session, policy_id: int) -> list[Release]:
    """Newest first."""
    return list(
        db.scalars(
            select(Release).where(Release.policy_id == policy_id).order_by(Release.number.desc())
        )
    )


def latest_release(db: Session, policy_id: int) -> Release | None:
    return db.scalar(
        select(Release)
        .where(Release.policy_id == policy_id)
        .order_by(Release.number.desc())
        .limit(1)
    )


def get_release(db: Session, policy_id: int, number: int) -> Release:
    row = db.scalar(select(Release).where(Release.policy_id == policy_id, Release.number == number))
    if row is None:
        raise NotFound(f"Version {number} of this policy was not found.")
    return row


def publish(
    db: Session, policy: Policy, by: User | None, note: str = "", checkpoint_id: int | None = None
) -> Release:
    """Publish the policy as it is now, or as it was at a checkpoint, as the next
    numbered release."""
    note = _note(note)
    point = history.resolve_point(
        db, policy, f"checkpoint:{checkpoint_id}" if checkpoint_id else "now", name="checkpoint_id"
    )
    number = (
        db.scalar(select(func.max(Release.number)).where(Release.policy_id == policy.id)) or 0
    ) + 1
    now = utcnow()
    document = build.build(
        db, policy, point, version_label=f"Version {number}", when=now, note=note
    )
    previous = latest_release(db, policy.id)
    changed = None
    if previous is not None:
        changed = changes.between(
            store.state_at(db, policy.id, previous.seq),
            store.state_at(db, policy.id, point.seq),
            since=previous.label,
        )
    row = Release(
        policy_id=policy.id,
        number=number,
        seq=point.seq,
        note=note,
        checkpoint_id=point.checkpoint.id if point.checkpoint else None,
        document=document.to_dict(),
        changes=changed,
        created_by_id=by.id if by else None,
        created_at=now,
    )
    db.add(row)
    db.flush()
    return row


def release_document(db: Session, release: Release) -> Document:
    """The release as published, except that it names nobody who has since turned
    off "show my name": agreeing to be named can be withdrawn, and that is the one
    thing about a release that changes."""
    doc = Document.from_dict(release.document)
    doc.credits = doc.credits.only(build.still_agreeing(db, doc.credits.ids))
    return doc


@dataclass(frozen=True)
class Source:
    """What to export: a release, a checkpoint, or the policy now."""

    release: int | None = None
    checkpoint: int | None = None

    @property
    def slug(self) -> str:
        if self.release is not None:
            return f"v{self.release}"
        if self.checkpoint is not None:
            return f"checkpoint-{self.checkpoint}"
        return "draft"


def check_format(fmt: str | None) -> str:
    if fmt not in FORMATS:
        raise InvalidInput(
            f"{fmt!r} is not a format we export. Choose one of: {', '.join(FORMATS)}.",
            fields={"format": [f"One of: {', '.join(FORMATS)}."]},
            code="unknown_format",
        )
    return fmt


def document_for(db: Session, policy: Policy, source: Source) -> Document:
    """The document to export. A release is read back frozen; "now" and a
    checkpoint are built from history. Unknown release or checkpoint: NotFound."""
    if source.release is not None and source.checkpoint is not None:
        raise InvalidInput(
            "Choose a release or a checkpoint, not both.",
            fields={"release": ["Not with checkpoint."]},
        )
    if source.release is not None:
        return release_document(db, get_release(db, policy.id, source.release))
    now = utcnow()
    if source.checkpoint is not None:
        point = history.resolve_point(db, policy, f"checkpoint:{source.checkpoint}")
        label = f"Draft at checkpoint “{point.checkpoint.name}”"
        return build.build(db, policy, point, version_label=label, when=point.checkpoint.created_at)
    point = history.resolve_point(db, policy, "now")
    return build.build(db, policy, point, version_label="Working draft (not published)", when=now)


def filename(policy: Policy, source: Source, fmt: str) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in policy.title.lower()).strip("-")
    while "--" in safe:
        safe = safe.replace("--", "-")
    return f"{safe[:60] or 'policy'}-{source.slug}.{fmt}"


# --- the public page ---------------------------------------------------------------------


def public_page_of(db: Session, policy_id: int) -> PublicPage | None:
    return db.get(PublicPage, policy_id)


def set_public(db: Session, policy: Policy, by: User | None, public: bool) -> PublicPage:
    """Turn the public page on (it needs a release to show) or off. Its address is
    made once and kept, so links people shared work again if it is turned back on."""
    if public and latest_release(db, policy.id) is None:
        raise InvalidInput(
            "Publish a version first: the public page shows published versions only.",
            fields={"public": ["No published version yet."]},
            code="nothing_published",
        )
    page = db.get(PublicPage, policy.id)
    if page is None:
        if not public:
            raise NotFound("This policy has no public page.")
        page = PublicPage(policy_id=policy.id, slug=secrets.token_urlsafe(12))
        db.add(page)
    page.is_public = public
    page.changed_by_id = by.id if by else None
    page.changed_at = utcnow()
    db.flush()
    events.publish(db, events.PublicPagesChanged(policy.id))
    return page


# Built once: the public page runs this on every request, and building a statement
# costs about as much as running it (server/access.py does the same).
_LOOKUP = (
    select(PublicPage.policy_id, PublicPage.is_public, func.max(Release.number))
    .outerjoin(Release, Release.policy_id == PublicPage.policy_id)
    .where(PublicPage.slug == bindparam("slug"))
    .group_by(PublicPage.policy_id, PublicPage.is_public)
)


def public_lookup(db: Session, slug: str, number: int | None) -> tuple[int, int, int]:
    """Which release a public address shows, in one query: (policy id, release
    number, newest release number). An address that never existed, or a release
    that does not exist, is NotFound; a page turned off is Gone. Neither message
    names the policy. The release itself is read only when its page is not cached."""
    row = None
    if len(slug) <= 40:
        row = db.execute(_LOOKUP, {"slug": slug}).first()
    if row is None:
        raise NotFound("There is no published policy at this address.")
    policy_id, is_public, latest = row
    if not is_public:
        raise Gone("This policy is no longer published here.")
    if latest is None or (number is not None and not 1 <= number <= latest):
        raise NotFound("There is no published policy at this address.")
    return policy_id, number or latest, latest
