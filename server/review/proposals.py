"""Proposals: a change any member asks the group to make to a section.

A proposal keeps the sentences it was made against (`base`), so it can be shown
against the text as it is now (the diff people read) and applied later by merge
(server/review/applying.py). Its author may change or withdraw it until the group
starts voting on it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.groups.models import Membership
from server.policies.models import Section, Sentence
from server.policies.services import MAX_SENTENCE_CHARS, parse_text, sentences_of
from server.review import rights
from server.review.changes import announce
from server.review.models import Proposal, ProposalKind, ProposalStatus
from server.sync.merge import merge_clean
from server.text.clean import clean_block
from server.text.shorten import shorten
from server.text.worddiff import Piece, word_diff

MAX_REASON_CHARS = 2000
MAX_PROPOSAL_CHARS = 20_000
EDITABLE = (ProposalStatus.OPEN,)
DECIDED = (
    ProposalStatus.APPLIED,
    ProposalStatus.CONFLICT,
    ProposalStatus.REJECTED,
    ProposalStatus.NOT_DECIDED,
    ProposalStatus.WITHDRAWN,
)


def get_proposal(db: Session, proposal_id: int) -> Proposal:
    row = db.get(Proposal, proposal_id)
    if row is None:
        raise NotFound("That suggestion was not found.")
    return row


def proposals_of(db: Session, section_id: int) -> list[Proposal]:
    return list(
        db.scalars(
            select(Proposal)
            .where(Proposal.section_id == section_id)
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        )
    )


def proposals_of_policy(
    db: Session, policy_id: int, status: ProposalStatus | None = None
) -> list[Proposal]:
    """A policy's suggestions (of one status, if given), oldest first: the ones
    waiting longest for a decision come first."""
    query = select(Proposal).where(Proposal.policy_id == policy_id)
    if status is not None:
        query = query.where(Proposal.status == status)
    return list(db.scalars(query.order_by(Proposal.created_at, Proposal.id)))


def _reason(reason: str | None) -> str:
    reason = clean_block(reason or "")
    if not reason:
        raise InvalidInput("Say why you suggest this change.", fields={"reason": ["Required."]})
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(
            f"The reason can be up to {MAX_REASON_CHARS} characters.",
            fields={"reason": [f"Up to {MAX_REASON_CHARS} characters."]},
            code="too_long",
        )
    return reason


def _sentences(text: str | None, *, required: bool) -> list[str]:
    text = text or ""
    if len(text) > MAX_PROPOSAL_CHARS:
        raise InvalidInput(
            f"The suggested text can be up to {MAX_PROPOSAL_CHARS} characters.",
            fields={"text": [f"Up to {MAX_PROPOSAL_CHARS} characters."]},
            code="too_long",
        )
    sentences = parse_text(text)
    if required and not sentences:
        raise InvalidInput("Write the words you suggest.", fields={"text": ["Required."]})
    if any(len(s) > MAX_SENTENCE_CHARS for s in sentences):
        raise InvalidInput(
            f"A sentence can be up to {MAX_SENTENCE_CHARS} characters.",
            fields={"text": ["A sentence is too long."]},
            code="too_long",
        )
    return sentences


def _live_in_section(db: Session, section: Section, ids: list[int]) -> list[Sentence]:
    rows = {s.id: s for s in sentences_of(db, [section.id])[section.id]}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise NotFound(
            "That sentence was not found in this section.",
            fields={"sentence_ids": [f"Not in this section: {missing}"]},
        )
    return [rows[i] for i in ids]


def _shape(
    db: Session, section: Section, kind: ProposalKind, sentence_ids: list[int], text: str | None
) -> tuple[list[int], list[dict], str]:
    """Check a proposal's target and words; return ids, base and the proposed text."""
    ids = list(dict.fromkeys(int(i) for i in sentence_ids or []))
    if kind == ProposalKind.REWRITE:
        current = sentences_of(db, [section.id])[section.id]
        new = _sentences(text, required=True)
        if new == [s.text for s in current]:
            raise InvalidInput(
                "That is the text as it is now. Change something first.",
                fields={"text": ["No change."]},
                code="no_change",
            )
        return [s.id for s in current], _base(current), " ".join(new)
    if kind == ProposalKind.INSERT:
        if len(ids) > 1:
            raise InvalidInput(
                "Choose one sentence to add after, or none for the start.",
                fields={"sentence_ids": ["At most one."]},
            )
        rows = _live_in_section(db, section, ids)
        return ids, _base(rows), " ".join(_sentences(text, required=True))
    if not ids:
        raise InvalidInput("Choose the sentence to change.", fields={"sentence_ids": ["Required."]})
    if kind == ProposalKind.REPLACE:
        if len(ids) != 1:
            raise InvalidInput(
                "A replacement changes one sentence.", fields={"sentence_ids": ["Exactly one."]}
            )
        rows = _live_in_section(db, section, ids)
        new = " ".join(_sentences(text, required=True))
        if new == rows[0].text:
            raise InvalidInput(
                "That is the sentence as it is now. Change something first.",
                fields={"text": ["No change."]},
                code="no_change",
            )
        return ids, _base(rows), new
    rows = _live_in_section(db, section, ids)  # DELETE
    return ids, _base(rows), ""


def _base(rows: list[Sentence]) -> list[dict]:
    return [{"id": s.id, "text": s.text, "version": s.version} for s in rows]


def create(
    db: Session,
    section: Section,
    membership: Membership,
    *,
    kind: str,
    reason: str,
    text: str | None = None,
    sentence_ids: list[int] | None = None,
) -> Proposal:
    try:
        kind_ = ProposalKind(kind)
    except ValueError:
        raise InvalidInput(
            "Choose what kind of change this is.", fields={"kind": ["Unknown kind."]}
        ) from None
    reason_ = _reason(reason)
    ids, base, new = _shape(db, section, kind_, sentence_ids or [], text)
    row = Proposal(
        policy_id=section.policy_id,
        section_id=section.id,
        author_id=membership.user_id,
        kind=kind_,
        reason=reason_,
        text=new,
        sentence_ids=ids,
        base=base,
    )
    db.add(row)
    db.flush()
    announce(db, row.policy_id, row.section_id, "proposal", row.id, "added")
    return row


def _editable(proposal: Proposal, membership: Membership) -> None:
    rights.require(
        rights.can_change_proposal(membership, proposal),
        "Only the person who made this suggestion can change it.",
    )
    if proposal.status not in EDITABLE:
        raise Conflict(
            "Voting on this suggestion has started, so it can no longer be changed.",
            code="voting_started" if proposal.status == ProposalStatus.VOTING else "decided",
        )


def update(
    db: Session,
    proposal: Proposal,
    membership: Membership,
    *,
    reason: str | None = None,
    text: str | None = None,
) -> Proposal:
    _editable(proposal, membership)
    if reason is not None:
        proposal.reason = _reason(reason)
    if text is not None and proposal.kind != ProposalKind.DELETE:
        section = db.get(Section, proposal.section_id)
        ids = [] if proposal.kind == ProposalKind.REWRITE else proposal.sentence_ids
        new_ids, base, new = _shape(db, section, proposal.kind, ids, text)
        proposal.sentence_ids, proposal.base, proposal.text = new_ids, base, new
    proposal.updated_at = utcnow()
    db.flush()
    announce(db, proposal.policy_id, proposal.section_id, "proposal", proposal.id, "edited")
    return proposal


def withdraw(db: Session, proposal: Proposal, membership: Membership) -> Proposal:
    _editable(proposal, membership)
    proposal.status, proposal.decided_at = ProposalStatus.WITHDRAWN, utcnow()
    db.flush()
    announce(db, proposal.policy_id, proposal.section_id, "proposal", proposal.id, "withdrawn")
    return proposal


# --- showing a proposal against the text as it is now --------------------------------------

TITLE_WORDS = 48  # characters of quoted words in a title, before "…"


def _quoted(words: str) -> str:
    """The words in quotes, shortened after a whole word past TITLE_WORDS."""
    return f"‘{shorten(words, TITLE_WORDS)}’"


def title(proposal: Proposal) -> str:
    """A suggestion named by its words (‘within 28 days’ → ‘within 20 school days’),
    never by a sentence number, which moves as the text changes."""
    kind = ProposalKind(proposal.kind)
    if kind == ProposalKind.REWRITE:
        return "Rewrite the whole section"
    if kind == ProposalKind.INSERT:
        return f"Add {_quoted(proposal.text)}"
    if kind == ProposalKind.DELETE:
        first = proposal.base[0]["text"] if proposal.base else ""
        more = len(proposal.base) - 1
        return f"Remove {_quoted(first)}" + (f" and {more} more" if more > 0 else "")
    before = proposal.base[0]["text"] if proposal.base else ""
    pieces = word_diff(before, proposal.text)
    changed = [i for i, p in enumerate(pieces) if p.op != "equal"]
    if not changed:
        return f"New words: {_quoted(proposal.text)}"
    span = pieces[changed[0] : changed[-1] + 1]
    # One word of the unchanged text either side, so the change reads in context.
    lead = pieces[changed[0] - 1].text if changed[0] > 0 else ""
    tail = pieces[changed[-1] + 1].text if changed[-1] + 1 < len(pieces) else ""
    lead = (lead.split() or [""])[-1] + " " if lead.strip() and lead.endswith(" ") else ""
    # After a space, the next word; otherwise the rest of a word, or its full stop.
    tail = " " + (tail.split() or [""])[0] if tail.startswith(" ") else tail.split(" ", 1)[0]
    was = (lead + "".join(p.text for p in span if p.op != "insert") + tail).strip(" .,;:")
    now = (lead + "".join(p.text for p in span if p.op != "delete") + tail).strip(" .,;:")
    if not was:
        return f"Add {_quoted(now)}"
    if not now:
        return f"Remove {_quoted(was)}"
    return f"{_quoted(was)} → {_quoted(now)}"


def _as_made(proposal: Proposal) -> list[Change]:
    """A decided proposal is shown as the change it asked for, against the text it
    was made against: once applied, today's text already holds it, and once
    refused or withdrawn, today's text is no longer what it was about."""
    ids = [b["id"] for b in proposal.base]
    if proposal.kind in (ProposalKind.REWRITE, ProposalKind.INSERT):
        before = (
            " ".join(b["text"] for b in proposal.base)
            if proposal.kind == ProposalKind.REWRITE
            else ""
        )
        return [Change(ids, before, proposal.text, word_diff(before, proposal.text))]
    after = proposal.text if proposal.kind == ProposalKind.REPLACE else ""
    return [Change([b["id"]], b["text"], after, word_diff(b["text"], after)) for b in proposal.base]


@dataclass
class Change:
    """One block of the diff people read: before → after, in words."""

    sentence_ids: list[int]
    before: str
    after: str
    pieces: list[Piece]
    gone: bool = False  # the sentence it was about has been removed since


def _would_read(base: str, proposed: str, now: str) -> str:
    """What the words would read if approved now: the suggested change merged into
    the text as it is now, as applying it merges (server.review.applying); where both
    changed the same words it cannot apply, and the suggested words are shown."""
    if now == base:
        return proposed
    merged = merge_clean(base, proposed, now)
    return proposed if merged is None else merged


def changes(db: Session, proposal: Proposal) -> tuple[list[Change], bool]:
    """The proposal as word diffs against today's text: what approving it would do
    now. Shown against its own words instead, a suggestion made before another was
    applied looked as if it would undo that one (struck through what the group had
    just agreed), though applying it keeps both. Also whether the text has moved on
    since the proposal was made."""
    if proposal.status not in (ProposalStatus.OPEN, ProposalStatus.VOTING):
        # A conflict happened because the text moved; the others no longer apply.
        return _as_made(proposal), proposal.status == ProposalStatus.CONFLICT
    ids = proposal.sentence_ids
    rows = (
        {s.id: s for s in db.scalars(select(Sentence).where(Sentence.id.in_(ids)))} if ids else {}
    )
    moved = any(
        rows.get(b["id"]) is None
        or rows[b["id"]].text != b["text"]
        or rows[b["id"]].deleted_at is not None
        for b in proposal.base
    )
    if proposal.kind == ProposalKind.REWRITE:
        current = sentences_of(db, [proposal.section_id])[proposal.section_id]
        before = " ".join(s.text for s in current)
        moved = moved or [s.id for s in current] != ids
        base = " ".join(b["text"] for b in proposal.base)
        after = _would_read(base, proposal.text, before) if moved else proposal.text
        return [Change([s.id for s in current], before, after, word_diff(before, after))], moved
    if proposal.kind == ProposalKind.INSERT:
        anchor = rows.get(ids[0]) if ids else None
        gone = anchor is not None and anchor.deleted_at is not None
        return [Change(ids, "", proposal.text, word_diff("", proposal.text), gone=gone)], moved
    out = []
    based = {b["id"]: b["text"] for b in proposal.base}
    for i in ids:
        row = rows.get(i)
        now = row.text if row is not None else ""
        gone = row is None or row.deleted_at is not None
        after = proposal.text if proposal.kind == ProposalKind.REPLACE else ""
        if after and not gone and i in based:
            after = _would_read(based[i], after, now)
        out.append(Change([i], now, after, word_diff(now, after), gone=gone))
    return out, moved
