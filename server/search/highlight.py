"""A short piece of a text around its first hit, with the hits marked.

Marking is done on pieces, never on HTML: a snippet is a list of (words, hit)
pairs that templates escape as usual and wrap in <mark> where `hit` is true. For
clients that want HTML, `to_html` escapes each piece first and only then adds the
<mark> tags, so nothing a person typed can become markup.
"""

from __future__ import annotations

from html import escape

from server.search.terms import spans

SNIPPET_CHARS = 180


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> list[tuple[str, bool]]:
    text = " ".join(text.split())
    found = spans(text, terms)
    start, end = 0, len(text)
    if len(text) > width:
        first = found[0][0] if found else 0
        start = max(0, first - width // 3)
        end = min(len(text), start + width)
        start = max(0, end - width)
        # Whole words only at the cut ends.
        if start > 0:
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < first else start
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > (found[0][1] if found else start) else end
    pieces: list[tuple[str, bool]] = []
    if start > 0:
        pieces.append(("… ", False))
    at = start
    for a, b in found:
        if b <= start or a >= end:
            continue
        a, b = max(a, start), min(b, end)
        if a > at:
            pieces.append((text[at:a], False))
        pieces.append((text[a:b], True))
        at = b
    if at < end:
        pieces.append((text[at:end], False))
    if end < len(text):
        pieces.append((" …", False))
    return pieces


def to_html(pieces: list[tuple[str, bool]]) -> str:
    return "".join(f"<mark>{escape(p)}</mark>" if hit else escape(p) for p, hit in pieces)
