"""What the section page marks inside its text, sentence by sentence: the words
people commented on (for everyone), and open suggestions as word diffs, track-
changes style (for members who chose that view: users.suggestions_inline).

The page renders these into each sentence's row; GET /sections/<id>/text-marks
serves the same blocks as a fragment, which static/js/review.js fetches with the
margin when a `review` event or typing says something changed, and which
static/js/tracked.js puts back into each row of the live editor whenever it
rebuilds one. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for

from server import auth
from server.access import section_access
from server.policies.models import Section, Sentence
from server.policies.services import sentences_of
from server.review import comments, proposals
from server.review.comments import Thread
from server.review.models import ProposalKind
from server.web.blueprint import bp
from server.web.helpers import db, my_id
from server.web.review import ACTIVE, _fragment


@dataclass(frozen=True)
class WordMark:
    """Words of a sentence an open comment is about, where they are now."""

    thread_id: int
    start: int  # offsets into the sentence's text now, in characters (code points)
    end: int
    words: str
    author: object  # User or None


@dataclass
class Row:
    """One live sentence and what is marked in it."""

    sentence: Sentence
    marks: list[WordMark] = field(default_factory=list)
    changes: list = field(default_factory=list)  # (proposal, pieces): a word diff of it
    inserts: list = field(default_factory=list)  # (proposal, pieces): new sentences after it

    @property
    def pieces(self) -> list[tuple[str, WordMark | None]]:
        """The text cut at the marks (the first of two that overlap wins), for
        the page without JavaScript."""
        text, out, at = self.sentence.text, [], 0
        for mark in self.marks:
            if mark.start < at or mark.end > len(text):
                continue
            if mark.start > at:
                out.append((text[at : mark.start], None))
            out.append((text[mark.start : mark.end], mark))
            at = mark.end
        out.append((text[at:], None))
        return [(words, mark) for words, mark in out if words]


@dataclass
class TextMarks:
    rows: dict[int, Row]
    start: list = field(default_factory=list)  # (proposal, pieces): new sentences at the top
    whole: list = field(default_factory=list)  # (proposal, pieces): rewrites of the section
    inline: bool = False  # suggestions shown (this member's choice)

    @property
    def marked(self) -> list[Row]:
        return [r for r in self.rows.values() if r.marks or r.changes or r.inserts]


def text_marks(section: Section, inline: bool, threads: list[Thread] | None = None) -> TextMarks:
    """The marks of a section's live text. `threads`: the section's, if the caller
    has them already (the page reads them for its margin too)."""
    live = sentences_of(db(), [section.id])[section.id]
    found = TextMarks({s.id: Row(s) for s in live}, inline=inline)
    if threads is None:
        threads = comments.threads(db(), section.id)
    for t in threads:
        words = t.words
        if t.resolved or words is None or words.gone or words.sentence_id not in found.rows:
            continue
        mark = WordMark(t.root.id, words.start, words.end, words.now, t.root.author)
        found.rows[words.sentence_id].marks.append(mark)
    for row in found.rows.values():
        row.marks.sort(key=lambda m: (m.start, m.end))
    if inline:
        _suggestions(section, found)
    return found


def _suggestions(section: Section, found: TextMarks) -> None:
    for p in reversed(proposals.proposals_of(db(), section.id)):  # oldest first
        if p.status not in ACTIVE:
            continue
        changes, _stale = proposals.changes(db(), p)
        kind = ProposalKind(p.kind)
        for change in changes:
            first = change.sentence_ids[0] if change.sentence_ids else None
            if kind == ProposalKind.REWRITE:
                found.whole.append((p, change.pieces))
            elif kind == ProposalKind.INSERT:
                row = found.rows.get(first)
                (row.inserts if row else found.start).append((p, change.pieces))
            elif first in found.rows:
                found.rows[first].changes.append((p, change.pieces))


@bp.get("/sections/<int:section_id>/text-marks")
def section_text_marks(section_id: int):
    found, _access = section_access(db(), my_id(), section_id)
    marks = text_marks(found, auth.me().suggestions_inline)
    return _fragment(
        "review/_text_marks.html",
        tm=marks,
        section=found,
        url=url_for("web.section_text_marks", section_id=section_id),
    )
