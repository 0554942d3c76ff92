"""Comments on some words of a sentence, not only on the whole sentence.

A word comment keeps where its words were when it was made (CommentRange: the
sentence's version, start and end offsets, the words). Where they are now is
worked out by mapping that range through every later version of the sentence,
which the editing engine keeps for each committed edit (SentenceVersion), with
the pure server.text.anchors. So an edit never rewrites comments, a read never
writes, and the answer is the same from any process.

When the sentence was split and the words were all in the part cut off, they
follow it into the new sentence (the split's revision, server/history, names
it; the cut is where the first part now ends). When the sentence was merged into
another, the words are looked for in that sentence; when the sentence was
removed, or every one of the words was, the comment says its words were removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import InvalidInput
from server.history.models import Revision
from server.policies.models import Sentence, SentenceVersion
from server.review.models import Comment, CommentRange
from server.text.anchors import GONE, Span, map_span


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


def find(sentence: Sentence, words: str) -> tuple[int, int]:
    """The offsets of `words` typed by someone who cannot select them (a keyboard
    user on a sentence they may not edit): where they first appear in the sentence,
    ignoring case and runs of spaces, or a clear 422."""
    wanted = " ".join(words.split())
    if wanted:
        pattern = r"\s+".join(re.escape(word) for word in wanted.split(" "))
        found = re.search(pattern, sentence.text, flags=re.IGNORECASE)
        if found:
            return found.start(), found.end()
    raise InvalidInput(
        "Those words are not in the sentence. Type them as they are written in it.",
        fields={"words": ["Type some words as they are written in the sentence."]},
    )


def attach(db: Session, comment: Comment, sentence: Sentence, start: int, end: int) -> CommentRange:
    start, end = check(sentence, start, end)
    # Keep the selection to whole words: a drag that stops inside a word means it.
    text = sentence.text
    while text[start].isspace():  # spaces at either end are not words (check: some are)
        start += 1
    while text[end - 1].isspace():
        end -= 1
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
    the versions since, one for the splits, one for the sentences (and one more
    per sentence the words followed into)."""
    if not comment_ids:
        return {}
    ranges = list(db.scalars(select(CommentRange).where(CommentRange.comment_id.in_(comment_ids))))
    if not ranges:
        return {}
    history = _History(db)
    history.load({r.sentence_id for r in ranges}, min(r.version for r in ranges))
    return {r.comment_id: _place(db, r, history) for r in ranges}


class _History:
    """The kept versions of some sentences and the splits among them, loaded in
    bulk, and for a sentence the words followed into, when they get there."""

    def __init__(self, db: Session):
        self.db = db
        self.versions: dict[int, list[tuple[int, str]]] = {}
        self.splits: dict[tuple[int, int], int] = {}  # (sentence, version made) -> new one
        self.rows: dict[int, Sentence] = {}
        self.loaded_from: dict[int, int] = {}  # sentence -> oldest version loaded

    def load(self, sentence_ids: set[int], oldest: int) -> None:
        ids = {i for i in sentence_ids if self.loaded_from.get(i, oldest + 1) > oldest}
        if not ids:
            return
        for sid in ids:
            self.versions.pop(sid, None)
            self.loaded_from[sid] = oldest
        for sid, version, text in self.db.execute(
            select(SentenceVersion.sentence_id, SentenceVersion.version, SentenceVersion.text)
            .where(SentenceVersion.sentence_id.in_(ids), SentenceVersion.version >= oldest)
            .order_by(SentenceVersion.sentence_id, SentenceVersion.version)
        ):
            self.versions.setdefault(sid, []).append((version, text))
        for sid, version, new_id in self.db.execute(
            select(Revision.sentence_id, Revision.to_version, Revision.other_sentence_id).where(
                Revision.kind == "split", Revision.sentence_id.in_(ids)
            )
        ):
            if new_id is not None:
                self.splits[(sid, version)] = new_id
        for s in self.db.scalars(select(Sentence).where(Sentence.id.in_(ids))):
            self.rows[s.id] = s

    def since(self, sentence_id: int, version: int) -> list[tuple[int, str]]:
        return [(v, t) for v, t in self.versions.get(sentence_id, []) if v >= version]


def _follow(r: CommentRange, history: _History) -> tuple[int, Span, str | None]:
    """The sentence the words are in now, their span in its latest kept text, and
    that text (None: no kept versions at all)."""
    sid, span = r.sentence_id, Span(r.start, r.end)
    steps = history.since(sid, r.version)
    sentence = history.rows.get(sid)
    if not steps and sentence is not None and sentence.version == r.version:
        steps = [(r.version, sentence.text)]  # no kept versions: only the text as it was
    if not steps:
        return sid, GONE, None
    text = steps[0][1]
    i = 0
    while i + 1 < len(steps):
        (_, before), (version, after) = steps[i], steps[i + 1]
        cut_to = history.splits.get((sid, version))
        if cut_to is not None and after == before[: len(after)] and span.start >= len(after):
            # Split, and the words went with the part cut off: follow them there.
            shift = len(after)
            sid, span = cut_to, Span(span.start - shift, span.end - shift)
            history.load({sid}, 1)
            steps, text, i = history.since(sid, 1), before[shift:], 0
            if not steps:
                return sid, GONE, None
            span = map_span(span, text, steps[0][1])
            text = steps[0][1]
        else:
            span = map_span(span, before, after)
            text = after
            i += 1
        if span.gone:
            return sid, GONE, text
    return sid, span, text


def _place(db: Session, r: CommentRange, history: _History) -> Placed:
    gone = Placed(r.words, None, None, None, None)
    sid, span, last = _follow(r, history)
    sentence = history.rows.get(sid)
    if span.gone or last is None or sentence is None:
        return gone
    if sentence.deleted_at is None:
        text = sentence.text
        return Placed(r.words, span.start, span.end, text[span.start : span.end], sentence.id)
    if sentence.merged_into_id is None:
        return gone
    # Merged: look for the words in the sentence it joined (once, or it is unclear).
    words = last[span.start : span.end]
    target = db.get(Sentence, sentence.merged_into_id)
    while target is not None and target.deleted_at is not None and target.merged_into_id:
        target = db.get(Sentence, target.merged_into_id)
    if target is None or target.deleted_at is not None or target.text.count(words) != 1:
        return gone
    at = target.text.index(words)
    return Placed(r.words, at, at + len(words), words, target.id)
