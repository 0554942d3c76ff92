"""Find the glossary's terms in a sentence, so pages can mark them (pure)."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=64)
def _terms_pattern(terms: frozenset[str]) -> re.Pattern | None:
    if not terms:
        return None
    phrases = sorted(terms, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, phrases)) + r")(?![\w-])", re.I)


def find_terms(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """Where the glossary's terms (lower case) occur in the text: (start, end, term),
    longest term first where two overlap ("EHC needs assessment" over "EHC")."""
    pattern = _terms_pattern(terms)
    if pattern is None:
        return []
    return [(m.start(), m.end(), m.group(1).lower()) for m in pattern.finditer(text)]


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
