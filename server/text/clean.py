"""The one place user text is cleaned before it is stored.

Plain-text fields (names, titles, sentences) keep whatever characters people typed,
markup included, as literal text: templates escape on output, so `<b>` shows as
`<b>` and never runs. What is removed here is what no person means to type:
control characters, odd Unicode forms, and runs of whitespace.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_line(value: str) -> str:
    """Clean a one-line value (a name, a title, a sentence): one space between words."""
    value = unicodedata.normalize("NFC", value)
    value = _CONTROL.sub("", value).replace("\r", " ").replace("\n", " ")
    return _SPACES.sub(" ", value).strip()


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
    breaks or control characters is refused instead, and the editor never sends it."""
    if "\n" in value or "\r" in value:
        return "A sentence cannot contain a line break. Press Enter to start a new sentence."
    if _CONTROL.search(value):
        return "The text contains invisible control characters."
    return None
