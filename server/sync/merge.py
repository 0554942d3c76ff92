"""Three-way text merge and word-aware diffs, shared by the server and the clients.

The server merges an edit made against an older version with what others saved
since; a client folds the server's text into its unsent typing. Both use this
one function, so they agree on where everyone's words go.
"""

from diff_match_patch import diff_match_patch

_dmp = diff_match_patch()
# No time limit: diffs are then minimal, so typing shows up as insertions only,
# never as delete-and-retype, which a merge could reorder around other people's
# text; and the result does not depend on how fast the machine is.
_dmp.Diff_Timeout = 0


def merge_texts(base: str, ours: str, theirs: str) -> str:
    """Merge two texts that both started from base, losing no insertion.

    A character of base survives unless either side deleted it; text inserted
    by either side is kept, theirs first where both inserted at the same spot.
    Unlike applying a patch, this never fails, which is what lets a client
    fold in anything the server says without dropping its user's typing.
    """
    if ours in (base, theirs):
        return theirs
    if theirs == base:
        return ours
    our_inserts, we_keep = _edits(base, ours)
    their_inserts, they_keep = _edits(base, theirs)
    out = []
    for i, char in enumerate(base):
        out += [their_inserts[i], our_inserts[i]]
        if we_keep[i] and they_keep[i]:
            out.append(char)
    out += [their_inserts[-1], our_inserts[-1]]
    return "".join(out)


def _edits(base: str, other: str) -> tuple[list[str], list[bool]]:
    """Return what other inserts before each position of base, and which chars it keeps."""
    inserts, keeps = [""] * (len(base) + 1), [True] * len(base)
    at = 0
    for op, data in diff(base, other):
        if op == _dmp.DIFF_INSERT:
            inserts[at] += data
            continue
        if op == _dmp.DIFF_DELETE:
            keeps[at : at + len(data)] = [False] * len(data)
        at += len(data)
    return inserts, keeps


def map_offset(before: str, after: str, offset: int) -> int:
    """Return where an offset in before lands in after (after any text inserted there)."""
    if before == after:
        return offset
    return _dmp.diff_xIndex(diff(before, after), offset)


def diff(before: str, after: str) -> list[tuple[int, str]]:
    """Diff, sliding each edit to word boundaries so an inserted word stays whole.

    A raw diff may align part of a new word with a similar old one ("<C1" of
    "<C10>" with "<C1>"); merging two such diffs could interleave the words.
    """
    diffs = _dmp.diff_main(before, after)
    _dmp.diff_cleanupSemanticLossless(diffs)
    return diffs


def merge_clean(base: str, ours: str, theirs: str) -> str | None:
    """Merge two texts only if they changed different words of base; None if both
    touched the same or neighbouring words (a conflict for people to settle).

    Live typing merges everything (`merge_texts`), since a typist sees the result
    at once and fixes it. An approved proposal is applied later, to text that
    may have moved, with nobody watching the merge: there, two changes to the
    same words must be shown to people, never guessed.
    """
    if ours in (base, theirs):
        return theirs
    if theirs == base:
        return ours
    mine, other = _changed_words(base, ours), _changed_words(base, theirs)
    for start, end in mine:
        for o_start, o_end in other:
            if start <= o_end and o_start <= end:
                return None
    return merge_texts(base, ours, theirs)


def _changed_words(base: str, other: str) -> list[tuple[int, int]]:
    """Ranges of base that other changed, widened to whole words (an insertion is
    a zero-width range where it goes)."""
    ranges, at = [], 0
    for op, data in diff(base, other):
        if op == _dmp.DIFF_EQUAL:
            at += len(data)
            continue
        end = at + len(data) if op == _dmp.DIFF_DELETE else at
        ranges.append(_widen(base, at, end))
        if op == _dmp.DIFF_DELETE:
            at = end
    return ranges


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end
