"""Search one group's policies for the words a member typed.

Every member of a group may read all of its policies (server/permissions.py), so
what a member may read here is what is live in their group: sentences and section
titles of sections not deleted, comments not deleted, and suggestions, on those
sections. The engines (server/search/engines.py) check exactly that on the rows
themselves. A read never writes: the index is kept by the database on each change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import InvalidInput
from server.policies.models import Policy, Section, Sentence
from server.review.models import Comment, Proposal
from server.search import engines
from server.search.highlight import snippet
from server.search.terms import MAX_QUERY_CHARS, parse
from server.text.rich import plain_text

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass
class Hit:
    """One place a search found, with what a page needs to show and link to it."""

    kind: str  # sentence | section | comment | proposal
    id: int
    policy_id: int
    policy_title: str
    section_id: int
    section_title: str
    text: str  # the current words (a comment's as shown, without formatting)
    snippet: list[tuple[str, bool]]  # (words, is a hit)
    proposal_id: int | None = None  # the suggestion, or the one a comment is on
    thread_id: int | None = None  # a reply's first comment


@dataclass
class Results:
    query: str
    terms: list[str]
    hits: list[Hit] = field(default_factory=list)
    more: bool = False  # there are more hits than `limit`


def search(db: Session, group_id: int, query: str, limit: int = DEFAULT_LIMIT) -> Results:
    query = (query or "").strip()
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput(
            f"Search for up to {MAX_QUERY_CHARS} characters.",
            fields={"q": [f"Up to {MAX_QUERY_CHARS} characters."]},
            code="too_long",
        )
    limit = max(1, min(limit, MAX_LIMIT))
    terms = parse(query)
    found = engines.find(db, group_id, terms, limit + 1)
    results = Results(query, terms, more=len(found) > limit)
    loaded = _load(db, found[:limit])
    for f in found[:limit]:
        hit = loaded.get((f.kind, f.id))
        if hit is not None:
            hit.snippet = snippet(hit.text, terms)
            results.hits.append(hit)
    return results


def _load(db: Session, found: list[engines.Found]) -> dict[tuple[str, int], Hit]:
    """The rows behind the hits, one query per kind."""
    ids: dict[str, list[int]] = {k: [] for k in engines.KINDS}
    for f in found:
        ids[f.kind].append(f.id)
    out: dict[tuple[str, int], Hit] = {}

    def hit(kind, row_id, section, policy, words, **more) -> None:
        out[(kind, row_id)] = Hit(
            kind, row_id, policy.id, policy.title, section.id, section.title, words, [], **more
        )

    if ids["sentence"]:
        for st, s, p in db.execute(
            select(Sentence, Section, Policy)
            .join(Section, Section.id == Sentence.section_id)
            .join(Policy, Policy.id == Section.policy_id)
            .where(Sentence.id.in_(ids["sentence"]))
        ):
            hit("sentence", st.id, s, p, st.text)
    if ids["section"]:
        for s, p in db.execute(
            select(Section, Policy)
            .join(Policy, Policy.id == Section.policy_id)
            .where(Section.id.in_(ids["section"]))
        ):
            hit("section", s.id, s, p, s.title)
    if ids["comment"]:
        for c, s, p in db.execute(
            select(Comment, Section, Policy)
            .join(Section, Section.id == Comment.section_id)
            .join(Policy, Policy.id == Comment.policy_id)
            .where(Comment.id.in_(ids["comment"]))
        ):
            hit(
                "comment",
                c.id,
                s,
                p,
                plain_text(c.body_html),
                proposal_id=c.proposal_id,
                thread_id=c.thread_id,
            )
    if ids["proposal"]:
        for r, s, p in db.execute(
            select(Proposal, Section, Policy)
            .join(Section, Section.id == Proposal.section_id)
            .join(Policy, Policy.id == Proposal.policy_id)
            .where(Proposal.id.in_(ids["proposal"]))
        ):
            words = f"{r.text} — {r.reason}" if r.text else r.reason
            hit("proposal", r.id, s, p, words, proposal_id=r.id)
    return out
