"""Comments on some words of a sentence, not only on the whole sentence.

A word comment keeps where its words were when it was made (CommentRange: the
sentence's version, start and end offsets, the words). Where they are now is
worked out by mapping that range through every later version of the sentence,
which the editing engine keeps for each committed edit (SentenceVersion), with
the pure server.text.anchors. So an edit never rewrites comments, a read never
writes, and the answer is the same from any process.

When the sentence was merged into another, the words are looked for in that
sentence; when the sentence was removed, or every one of the words was, the
comment says its words were removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import InvalidInput
from server.policies.models import Sentence, SentenceVersion
from server.review.models import Comment, CommentRange
from server.text.anchors import Span, follow


@dataclass(frozen=True)
class Placed:
    """A word comment's words: as they were, and where they are now."""

    words: str  # what was selected when the comment was made
    start: int | None  # offsets into the live sentence's text now (None: gone)
    end: int | None
    now: str | None  # the words there now (None: gone)
    sentence_id: int | None  # the live sentence they are in now

    @property
    def gone(self) -> bool:
        return self.now is None


def check(sentence: Sentence, start, end) -> tuple[int, int]:
    """The offsets of some words of the sentence as it is now, or a clear 422."""
    ok = (
        isinstance(start, int)
        and isinstance(end, int)
        and 0 <= start < end <= len(sentence.text)
        and sentence.text[start:end].strip()
    )
    if not ok:
        raise InvalidInput(
            "Choose some words of the sentence to comment on.",
            fields={
                "words": [f"start < end, within the sentence's {len(sentence.text)} characters."]
            },
        )
    return start, end


def attach(db: Session, comment: Comment, sentence: Sentence, start: int, end: int) -> CommentRange:
    start, end = check(sentence, start, end)
    # Keep the selection to whole words: a drag that stops inside a word means it.
    text = sentence.text
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    row = CommentRange(
        comment_id=comment.id,
        sentence_id=sentence.id,
        version=sentence.version,
        start=start,
        end=end,
        words=text[start:end],
    )
    db.add(row)
    db.flush()
    return row


def placed(db: Session, comment_ids: list[int]) -> dict[int, Placed]:
    """Where each word comment's words are now: a query for the ranges, one for
    the versions since, one for the sentences."""
    if not comment_ids:
        return {}
    ranges = list(db.scalars(select(CommentRange).where(CommentRange.comment_id.in_(comment_ids))))
    if not ranges:
        return {}
    sentence_ids = {r.sentence_id for r in ranges}
    oldest = min(r.version for r in ranges)
    versions: dict[int, list[tuple[int, str]]] = {}
    for sid, version, text in db.execute(
        select(SentenceVersion.sentence_id, SentenceVersion.version, SentenceVersion.text)
        .where(SentenceVersion.sentence_id.in_(sentence_ids), SentenceVersion.version >= oldest)
        .order_by(SentenceVersion.sentence_id, SentenceVersion.version)
    ):
        versions.setdefault(sid, []).append((version, text))
    rows = {s.id: s for s in db.scalars(select(Sentence).where(Sentence.id.in_(sentence_ids)))}
    return {r.comment_id: _place(db, r, versions.get(r.sentence_id, []), rows) for r in ranges}


def _place(db: Session, r: CommentRange, versions: list, rows: dict[int, Sentence]) -> Placed:
    texts = [text for version, text in versions if version >= r.version]
    sentence = rows.get(r.sentence_id)
    gone = Placed(r.words, None, None, None, None)
    if not texts or sentence is None:  # no kept versions: only the text as it was
        same = sentence is not None and sentence.version == r.version
        texts = [sentence.text] if same else []
    if not texts:
        return gone
    span = follow(Span(r.start, r.end), texts)
    if span.gone:
        return gone
    if sentence.deleted_at is None:
        text = sentence.text
        return Placed(r.words, span.start, span.end, text[span.start : span.end], sentence.id)
    if sentence.merged_into_id is None:
        return gone
    # Merged: look for the words in the sentence it joined (once, or it is unclear).
    words = texts[-1][span.start : span.end]
    target = db.get(Sentence, sentence.merged_into_id)
    while target is not None and target.deleted_at is not None and target.merged_into_id:
        target = db.get(Sentence, target.merged_into_id)
    if target is None or target.deleted_at is not None or target.text.count(words) != 1:
        return gone
    at = target.text.index(words)
    return Placed(r.words, at, at + len(words), words, target.id)
