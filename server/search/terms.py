"""What a person typed, as words to look for, and where those words are in a text.

The same reading serves both database engines and the highlighting, so what is
found and what is marked agree: a word matches any word that starts with it,
ignoring case and accents ("carer" finds "Carers", "zoe" finds "Zoë"), and a plural
is looked for without its ending, so it finds the singular too ("budgets" finds
"budget", "families" finds "family").
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


# Words ending in s that are not plurals.
_NOT_PLURAL = ("ss", "us", "is", "ous", "ness")
_ENDINGS = ("ies", "es", "s")  # the longest that fits is left out


def singular(word: str) -> str:
    """A plural's start, which both forms of the word begin with: "budgets" to
    "budget", "buses" to "bus", "services" to "servic", "families" to "famil". A
    member who searched "personal budgets" found nothing where the text said
    "Personal Budget": a word only finds longer words. English's regular endings
    only; at least three letters are kept, or the word stays as typed."""
    if not word.endswith("s") or word.endswith(_NOT_PLURAL):
        return word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def parse(query: str) -> list[str]:
    """The distinct words of a query in lower case, plurals as their start
    (`singular`), in the order typed (at most MAX_TERMS). Accents stay: SQLite's
    tokenizer folds them itself; PostgreSQL's 'simple' configuration compares them
    as written."""
    out: list[str] = []
    for word in WORD.findall(query or ""):
        word = singular(word.casefold())
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
