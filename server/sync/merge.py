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
