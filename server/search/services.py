"""Search one group's policies for the words a member typed.

Every member of a group may read all of its policies (server/permissions.py), so
what a member may read here is what is live in their group: sentences and section
titles of sections not deleted, comments not deleted, and suggestions, on those
sections. The engines (server/search/engines.py) check exactly that on the rows
themselves. A read never writes: the index is kept by the database on each change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.errors import InvalidInput
from server.policies.models import Policy, Section, Sentence
from server.review.models import Comment, Mention, Proposal
from server.search import engines
from server.search.highlight import snippet
from server.search.terms import MAX_QUERY_CHARS, parse
from server.text.rich import plain_text, with_names

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


_PLACE = (Section.id, Section.title, Policy.id, Policy.title)
_IDS = bindparam("ids", expanding=True)
# Built once: building a statement costs about as much as running it (server/access.py).
_SENTENCES = (
    select(Sentence.id, Sentence.text, *_PLACE)
    .join(Section, Section.id == Sentence.section_id)
    .join(Policy, Policy.id == Section.policy_id)
    .where(Sentence.id.in_(_IDS))
)
_SECTIONS = select(*_PLACE).join(Policy, Policy.id == Section.policy_id).where(Section.id.in_(_IDS))
_COMMENTS = (
    select(Comment.id, Comment.body_html, Comment.proposal_id, Comment.thread_id, *_PLACE)
    .join(Section, Section.id == Comment.section_id)
    .join(Policy, Policy.id == Comment.policy_id)
    .where(Comment.id.in_(_IDS))
)
_PROPOSALS = (
    select(Proposal.id, Proposal.text, Proposal.reason, *_PLACE)
    .join(Section, Section.id == Proposal.section_id)
    .join(Policy, Policy.id == Proposal.policy_id)
    .where(Proposal.id.in_(_IDS))
)
_NAMES = (
    select(User.id, User.display_name)
    .join(Mention, Mention.user_id == User.id)
    .where(Mention.comment_id.in_(_IDS))
    .distinct()
)


def _load(db: Session, found: list[engines.Found]) -> dict[tuple[str, int], Hit]:
    """The words and places behind the hits: one query per kind found, of plain
    columns (a page of hits is read on every search; whole rows cost more)."""
    ids: dict[str, list[int]] = {k: [] for k in engines.KINDS}
    for f in found:
        ids[f.kind].append(f.id)
    out: dict[tuple[str, int], Hit] = {}

    def hit(kind, row_id, section_id, section_title, policy_id, policy_title, words, **more):
        out[(kind, row_id)] = Hit(
            kind, row_id, policy_id, policy_title, section_id, section_title, words, [], **more
        )

    if ids["sentence"]:
        for row_id, words, *where in db.execute(_SENTENCES, {"ids": ids["sentence"]}):
            hit("sentence", row_id, *where, words)
    if ids["section"]:
        for row in db.execute(_SECTIONS, {"ids": ids["section"]}):
            hit("section", row[0], *row, row[1])
    if ids["comment"]:
        # Mentions show the member's name now, as on the page.
        names = dict(db.execute(_NAMES, {"ids": ids["comment"]}).all())
        for row_id, html, proposal_id, thread_id, *where in db.execute(
            _COMMENTS, {"ids": ids["comment"]}
        ):
            words = plain_text(with_names(html, names) if names else html)
            hit("comment", row_id, *where, words, proposal_id=proposal_id, thread_id=thread_id)
    if ids["proposal"]:
        for row_id, words, reason, *where in db.execute(_PROPOSALS, {"ids": ids["proposal"]}):
            words = f"{words} — {reason}" if words else reason
            hit("proposal", row_id, *where, words, proposal_id=row_id)
    return out
