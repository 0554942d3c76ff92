"""The one place user text is cleaned before it is stored.

Plain-text fields (names, titles, sentences) keep whatever characters people typed,
markup included, as literal text: templates escape on output, so `<b>` shows as
`<b>` and never runs. What is removed here is what no person means to type:
control characters, odd Unicode forms, and runs of whitespace.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 control characters (tab and line breaks apart: see below), zero-width
# space, the Unicode line and paragraph separators, and the byte-order mark.
_INVISIBLE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff"
_CONTROL = re.compile(f"[{_INVISIBLE}]")
_TYPED_CONTROL = re.compile(f"[\t{_INVISIBLE}]")  # typed text may not hold a tab either
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_line(value: str) -> str:
    """Clean a one-line value (a name, a title, a sentence): one space between words."""
    value = unicodedata.normalize("NFC", value)
    value = _CONTROL.sub("", value).replace("\r", " ").replace("\n", " ")
    return _SPACES.sub(" ", value).strip()


# Characters that draw nothing yet can make two names look alike, or make a name
# look like something else in a list: bidi embeddings, overrides and isolates
# ("\u202enomiS" shows as "Simon"), zero-width spaces and joiners, and the other
# invisible format characters (Unicode category Cf), plus letters that draw as blank.
_BLANK_LETTERS = {"\u034f", "\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}
_JOINERS = {"\u200c", "\u200d"}  # ZWNJ and ZWJ


def clean_name(value: str) -> str:
    """Clean a name people see in lists (a display name, a group, sub-group, policy
    or section title): `clean_line`, then no invisible characters, and any kind of
    space becomes a plain one.

    ZWNJ and ZWJ stay only between two non-ASCII characters, where they matter: they
    shape Persian, Urdu and Indic names and join emoji ("\U0001f469\u200d\U0001f4bb").
    Between Latin letters they only hide a difference, so they go."""
    value = clean_line(value)
    kept = []
    for i, ch in enumerate(value):
        if ch in _JOINERS:
            before = value[i - 1] if i else " "
            after = value[i + 1] if i + 1 < len(value) else " "
            if before.isascii() or after.isascii() or before in _JOINERS:
                continue
        elif unicodedata.category(ch) == "Cf" or ch in _BLANK_LETTERS:
            continue
        kept.append(" " if unicodedata.category(ch) == "Zs" else ch)
    return _SPACES.sub(" ", "".join(kept)).strip()


def clean_block(value: str) -> str:
    """Clean multi-line text (a pasted paragraph, a description): keep paragraph breaks."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = _CONTROL.sub("", value)
    lines = [_SPACES.sub(" ", line).strip() for line in value.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean_email(value: str) -> str:
    return clean_line(value).lower()


def typed_text_problem(value: str) -> str | None:
    """Say what is wrong with live-typed sentence text, or None. Typing is not
    cleaned (that would move the caret under the typist's fingers): text with line
    breaks, tabs or control characters is refused instead, and the editor never
    sends it (a paste is cleaned in the browser, static/js/keys.js)."""
    if "\n" in value or "\r" in value:
        return "A sentence cannot contain a line break. Press Enter to start a new sentence."
    if _TYPED_CONTROL.search(value):
        return "The text contains a tab or an invisible control character."
    return None
