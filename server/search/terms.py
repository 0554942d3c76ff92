"""What a person typed, as words to look for, and where those words are in a text.

The same reading serves both database engines and the highlighting, so what is
found and what is marked agree: a word matches any word that starts with it,
ignoring case and accents ("carer" finds "Carers", "zoe" finds "Zoë").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
# Letters and digits; an underscore separates words, as both engines tokenize.
WORD = re.compile(r"[^\W_]+")


@lru_cache(maxsize=8192)
def fold(word: str) -> str:
    """Lower case without accents, as SQLite's unicode61 tokenizer compares. Words
    repeat a great deal, so each is folded once (highlighting folds every word)."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def parse(query: str) -> list[str]:
    """The distinct words of a query in lower case, in the order typed (at most
    MAX_TERMS). Accents stay: SQLite's tokenizer folds them itself; PostgreSQL's
    'simple' configuration compares them as written."""
    out: list[str] = []
    for word in WORD.findall(query or ""):
        word = word.casefold()
        # Folding can leave nothing a tokenizer keeps (a lone combining mark).
        if WORD.search(fold(word)) and word not in out:
            out.append(word)
    return out[:MAX_TERMS]


def spans(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the words of `text` that match a term are: (start, end) offsets."""
    folded = [fold(t) for t in terms]
    if not folded:
        return []
    return [
        (m.start(), m.end())
        for m in WORD.finditer(text)
        if any(fold(m.group()).startswith(t) for t in folded)
    ]
