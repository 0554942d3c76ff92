"""Find the glossary's terms in a sentence, so pages can mark them (pure)."""

from __future__ import annotations

from server.plain.rules import find_terms


def segments(text: str, keys: frozenset[str]) -> list[tuple[str, str | None]]:
    """Split text into (piece, term key or None) in order. Templates print each piece
    escaped and wrap the marked ones: no markup is ever built from user text."""
    out: list[tuple[str, str | None]] = []
    at = 0
    for start, end, key in find_terms(text, keys):
        if start > at:
            out.append((text[at:start], None))
        out.append((text[start:end], key))
        at = end
    if at < len(text):
        out.append((text[at:], None))
    return out
