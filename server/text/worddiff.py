"""Word-level diffs for people to read (proposals, history, review pages).

diff-match-patch diffs characters; a reader wants whole words struck and
inserted. Each word (and each run of spaces or punctuation) is mapped to one
character, diffed, mapped back, then cleaned up semantically so that small
common fragments between big changes do not shred the result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

_dmp = diff_match_patch()
_dmp.Diff_Timeout = 0
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|\s+|[^\w\s]", re.UNICODE)

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
_OPS = {_dmp.DIFF_EQUAL: EQUAL, _dmp.DIFF_INSERT: INSERT, _dmp.DIFF_DELETE: DELETE}


@dataclass(frozen=True)
class Piece:
    op: str  # "equal", "insert" or "delete"
    text: str

    def as_dict(self) -> dict:
        return {"op": self.op, "text": self.text}


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(before: str, after: str) -> list[Piece]:
    """The changes from before to after, in whole words, in reading order."""
    codes: dict[str, str] = {}
    vocab: list[str] = []

    def encode(text: str) -> str:
        out = []
        for tok in tokens(text):
            if tok not in codes:
                codes[tok] = (
                    chr(0xE000 + len(vocab))
                    if len(vocab) < 6400
                    else chr(0xF0000 + len(vocab) - 6400)
                )
                vocab.append(tok)
            out.append(codes[tok])
        return "".join(out)

    a, b = encode(before), encode(after)
    decode = {code: tok for tok, code in codes.items()}
    diffs = _dmp.diff_main(a, b, False)
    _dmp.diff_cleanupSemantic(diffs)
    pieces: list[Piece] = []
    for op, data in diffs:
        text = "".join(decode[c] for c in data)
        if pieces and pieces[-1].op == _OPS[op]:
            pieces[-1] = Piece(_OPS[op], pieces[-1].text + text)
        elif text:
            pieces.append(Piece(_OPS[op], text))
    return pieces


def changed(pieces: list[Piece]) -> bool:
    return any(p.op != EQUAL for p in pieces)
