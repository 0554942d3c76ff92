"""The glossary: suggest, accept, reject, change and remove terms; adopt the starter list.

Anyone in the group may suggest a term; a facilitator accepts or rejects it, and may
add, change or remove terms directly (the handlers check who may call what, with
server.permissions). Only accepted terms count: they are marked in the text, stop
being flagged as jargon, and travel with exports (`accepted_terms`). Every change is
written to the glossary's history (GlossaryChange): who, what, when.

Services flush; the boundary commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.db import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.events import publish
from server.glossary.changes import GlossaryChanged
from server.glossary.models import TERM_CHARS, GlossaryChange, GlossaryTerm, TermStatus
from server.text.clean import clean_block, clean_line

MAX_TERM = TERM_CHARS
MAX_EXPLANATION = 600
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class StarterTerm:
    term: str
    explanation: str


@cache
def starter_terms() -> tuple[StarterTerm, ...]:
    """The starter list that ships with Codraft (server/glossary/data/starter.txt)."""
    text = resources.files("server.glossary").joinpath("data", "starter.txt").read_text("utf-8")
    rows = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            term, _, explanation = line.partition("|")
            rows.append(StarterTerm(term.strip(), explanation.strip()))
    return tuple(rows)


# --- reading ------------------------------------------------------------------------------


def terms_of(db: Session, group_id: int, status: TermStatus | None = None) -> list[GlossaryTerm]:
    stmt = select(GlossaryTerm).where(GlossaryTerm.group_id == group_id)
    if status is not None:
        stmt = stmt.where(GlossaryTerm.status == status)
    return list(db.scalars(stmt.order_by(GlossaryTerm.term_key)))


def accepted_terms(db: Session, group_id: int) -> list[GlossaryTerm]:
    """The group's glossary as it stands: items with `.term` and `.explanation`, in
    alphabetical order. Exports and the session pack print exactly this."""
    return terms_of(db, group_id, TermStatus.ACCEPTED)


def term_keys(db: Session, group_id: int) -> frozenset[str]:
    """The accepted terms in lower case (what the plain-language rules look for)."""
    return frozenset(
        db.scalars(
            select(GlossaryTerm.term_key).where(
                GlossaryTerm.group_id == group_id, GlossaryTerm.status == TermStatus.ACCEPTED
            )
        )
    )


def get_term(db: Session, term_id: int) -> GlossaryTerm:
    row = db.get(GlossaryTerm, term_id)
    if row is None:
        raise NotFound("That glossary term was not found.")
    return row


def history(db: Session, group_id: int, limit: int = HISTORY_LIMIT) -> list[GlossaryChange]:
    """The latest changes first."""
    return list(
        db.scalars(
            select(GlossaryChange)
            .where(GlossaryChange.group_id == group_id)
            .order_by(GlossaryChange.at.desc(), GlossaryChange.id.desc())
            .limit(limit)
        )
    )


# --- changing -----------------------------------------------------------------------------


def _clean(term: str | None, explanation: str | None) -> tuple[str, str]:
    """Both fields, cleaned, or InvalidInput naming every problem at once."""
    term = clean_line(term or "")
    explanation = clean_block(explanation or "")
    problems: dict[str, list[str]] = {}
    if not term:
        problems["term"] = ["Write the word or short phrase to explain."]
    elif len(term) > MAX_TERM:
        problems["term"] = [f"Keep the term to {MAX_TERM} characters or fewer."]
    if not explanation:
        problems["explanation"] = ["Write what it means, in plain words."]
    elif len(explanation) > MAX_EXPLANATION:
        problems["explanation"] = [
            f"Keep the explanation to {MAX_EXPLANATION} characters or fewer."
        ]
    if problems:
        raise InvalidInput(" ".join(m for ms in problems.values() for m in ms), fields=problems)
    return term, explanation


def _not_taken(db: Session, group_id: int, key: str, but: int | None = None) -> None:
    stmt = select(GlossaryTerm).where(GlossaryTerm.group_id == group_id)
    stmt = stmt.where(GlossaryTerm.term_key == key)
    found = db.scalar(stmt)
    if found is not None and found.id != but:
        state = "is already in" if found.accepted else "is already suggested for"
        raise Conflict(
            f"“{found.term}” {state} the glossary. Change that one instead.",
            fields={"term": ["This term is already there."]},
            code="duplicate_term",
        )


def _log(db: Session, group_id: int, term: str, action: str, by: User | None, detail: str = ""):
    db.add(
        GlossaryChange(
            group_id=group_id,
            term=term[:MAX_TERM],
            action=action,
            detail=detail,
            by_id=by.id if by else None,
            at=utcnow(),
        )
    )


def _changed(db: Session, group_id: int, *keys: str) -> None:
    """The accepted glossary changed for `keys`: hints of sentences using them change."""
    publish(db, GlossaryChanged(group_id, tuple(sorted(set(keys)))))


def suggest(
    db: Session, group_id: int, by: User, term: str, explanation: str, *, accept: bool = False
) -> GlossaryTerm:
    """Add a term: a suggestion, or (`accept`, for a facilitator) straight into the glossary."""
    term, explanation = _clean(term, explanation)
    key = term.lower()
    _not_taken(db, group_id, key)
    now = utcnow()
    row = GlossaryTerm(
        group_id=group_id,
        term=term,
        term_key=key,
        explanation=explanation,
        status=TermStatus.ACCEPTED if accept else TermStatus.SUGGESTED,
        suggested_by_id=by.id,
        created_at=now,
        updated_at=now,
    )
    db.add(row)
    _log(db, group_id, term, "added" if accept else "suggested", by, explanation)
    db.flush()
    if accept:
        _changed(db, group_id, key)
    return row


def accept(db: Session, row: GlossaryTerm, by: User) -> GlossaryTerm:
    if row.accepted:
        raise Conflict(f"“{row.term}” is already in the glossary.", code="already_accepted")
    row.status = TermStatus.ACCEPTED
    row.updated_at = utcnow()
    _log(db, row.group_id, row.term, "accepted", by)
    db.flush()
    _changed(db, row.group_id, row.term_key)
    return row


def reject(db: Session, row: GlossaryTerm, by: User) -> None:
    """Turn down a suggestion: it goes, and the history says so."""
    if row.accepted:
        raise Conflict(
            f"“{row.term}” is in the glossary already. Remove it instead.", code="already_accepted"
        )
    _log(db, row.group_id, row.term, "rejected", by)
    db.delete(row)
    db.flush()


def change(db: Session, row: GlossaryTerm, by: User, term: str, explanation: str) -> GlossaryTerm:
    term, explanation = _clean(term, explanation)
    key = term.lower()
    _not_taken(db, row.group_id, key, but=row.id)
    if term == row.term and explanation == row.explanation:
        return row
    detail = explanation if term == row.term else f"was “{row.term}”. {explanation}"
    old_key = row.term_key
    row.term, row.term_key, row.explanation = term, key, explanation
    row.updated_at = utcnow()
    _log(db, row.group_id, term, "changed", by, detail)
    db.flush()
    if row.accepted:
        _changed(db, row.group_id, old_key, key)
    return row


def remove(db: Session, row: GlossaryTerm, by: User) -> None:
    _log(db, row.group_id, row.term, "removed", by)
    if row.accepted:
        _changed(db, row.group_id, row.term_key)
    db.delete(row)
    db.flush()


def adopt_starter(db: Session, group_id: int, by: User | None) -> int:
    """Add every starter term the group does not have yet (accepted: a facilitator
    chose to adopt them). Terms the group already has, changed or not, stay as they
    are. Returns how many were added."""
    have = set(db.scalars(select(GlossaryTerm.term_key).where(GlossaryTerm.group_id == group_id)))
    now = utcnow()
    added = 0
    keys: list[str] = []
    for item in starter_terms():
        key = item.term.lower()
        if key in have:
            continue
        db.add(
            GlossaryTerm(
                group_id=group_id,
                term=item.term,
                term_key=key,
                explanation=item.explanation,
                status=TermStatus.ACCEPTED,
                from_starter=True,
                suggested_by_id=None,
                created_at=now,
                updated_at=now,
            )
        )
        have.add(key)
        keys.append(key)
        added += 1
    if added:
        _log(db, group_id, "Starter list", "adopted", by, f"{added} terms added")
        _changed(db, group_id, *keys)
    db.flush()
    return added


def count(db: Session, group_id: int) -> int:
    return db.scalar(
        select(func.count()).select_from(GlossaryTerm).where(GlossaryTerm.group_id == group_id)
    )
