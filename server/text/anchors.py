"""Following a range of characters through edits to its text: pure functions, no
database. A comment on some words keeps `start`/`end` offsets into the sentence as
it was; mapping them through each later version of the sentence says where those
words are now, or that they are gone.

Text typed at either edge of the range stays outside it; text typed inside joins
it. A range whose words were all removed (or replaced) is gone, and stays gone
even if words are typed there later.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.text.worddiff import EQUAL, INSERT, word_diff


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    @property
    def gone(self) -> bool:
        return self.end <= self.start


GONE = Span(0, 0)


def map_span(span: Span, before: str, after: str) -> Span:
    """Where `span` of `before` lies in `after` (GONE once nothing of it is left)."""
    if span.gone:
        return GONE
    if before == after:
        return span
    arrive = [0] * (len(before) + 1)  # new offset reaching each old boundary
    leave = [0] * (len(before) + 1)  # ... and leaving it, after text typed there
    old = new = 0
    # In whole words: "28 days" -> "four weeks" is a replacement, not a few
    # letters kept by chance.
    for piece in word_diff(before, after):
        if piece.op == INSERT:
            new += len(piece.text)
            continue
        for _ in piece.text:
            leave[old] = new
            old += 1
            if piece.op == EQUAL:
                new += 1
            arrive[old] = new
    leave[old] = new
    start, end = leave[span.start], arrive[span.end]
    if end <= start or not any(c.isalnum() for c in after[start:end]):
        return GONE
    # Words cut off one end (a split, a deletion) leave no stray space behind.
    while after[start].isspace():
        start += 1
    while after[end - 1].isspace():
        end -= 1
    return Span(start, end)


def follow(span: Span, versions: list[str]) -> Span:
    """Map a span of versions[0] through every later version, in order."""
    for before, after in zip(versions, versions[1:], strict=False):
        span = map_span(span, before, after)
        if span.gone:
            return GONE
    return span
