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

    Texts are compared word by word: a word is a run of non-space characters with
    the spaces before it, and the stops at its end (. , ; : ! ? and the ellipsis)
    count as a word of their own. Where only one side changed something, its
    change is taken. Where both inserted words at the same spot, both are kept,
    theirs first (once, if they inserted the same). Where one side inserted
    words inside words the other side replaced or removed, the words are merged
    whole: removed words go, every inserted word stays. Where both sides changed
    the same words, the same change is taken once, a change beats a removal, and
    otherwise the merge is done character by character (as two people typing in
    one word expect). Unlike applying a patch, this never fails, which is what lets a
    client fold in anything the server says without dropping its user's typing.

    Why words first: a character diff may align part of a new word with a
    similar old one ("<C10K3> <C10K1>" against "<C10K1>" can come out as "<C10K"
    + "3> <C10K" + "1>"), and two such diffs merged put one person's word inside
    another's; the live convergence test lost and doubled words that way.

    Spaces go with the word after them, and stops stand alone, so that the usual
    ways of adding words are insertions: between words, before the full stop, at
    the end. Each text gets one space put in front while it is merged (and the
    result loses it again), so that adding a word at the very start is one too.
    """
    if ours in (base, theirs):
        return theirs
    if theirs == base:
        return ours
    words = _Words()
    b = words.encode(" " + base)
    mine = _changes(b, words.encode(" " + ours))
    their = _changes(b, words.encode(" " + theirs))
    out, at = [], 0
    for start, end, our_part, their_part in _clusters(mine, their):
        out.append(b[at:start])
        o, t = _apply(b, start, end, our_part), _apply(b, start, end, their_part)
        if not our_part or o == t:
            out.append(t)
        elif not their_part:
            out.append(o)
        elif all(s == e for s, e, _ in our_part) or all(s == e for s, e, _ in their_part):
            out.append(_merge_codes(b[start:end], o, t))  # words typed among changed ones
        elif not o or not t:  # both changed the same words: a change beats a removal
            out.append(o or t)
        else:
            out.append(
                words.encode(
                    _merge_characters(words.decode(b[start:end]), words.decode(o), words.decode(t))
                )
            )
        at = end
    out.append(b[at:])
    merged = words.decode("".join(out))
    return merged[1:] if merged.startswith(" ") else merged


Change = tuple[int, int, str]  # base[start:end] becomes the inserted codes


def _changes(base: str, other: str) -> list[Change]:
    """What other does to base, as replacements of ranges of base (an insertion is
    an empty range), in order."""
    changes: list[Change] = []
    at, current = 0, None
    for op, data in _dmp.diff_main(base, other, False):
        if op == _dmp.DIFF_EQUAL:
            if current:
                changes.append(tuple(current))
                current = None
            at += len(data)
            continue
        current = current or [at, at, ""]
        if op == _dmp.DIFF_DELETE:
            current[1] += len(data)
            at += len(data)
        else:
            current[2] += data
    if current:
        changes.append(tuple(current))
    return changes


def _clusters(mine: list[Change], theirs: list[Change]):
    """Group both sides' changes into runs of base that must be merged together:
    ranges that overlap, an insertion strictly inside a range, insertions at the
    same spot. An insertion where a range starts comes before it, one where it
    ends after it. Yields (start, end, our changes, their changes) in order."""
    tagged = sorted(
        [(s, e, ins, 0) for s, e, ins in mine] + [(s, e, ins, 1) for s, e, ins in theirs],
        key=lambda c: (c[0], c[0] != c[1], c[3]),
    )
    group: list = []
    start = end = 0
    for s, e, ins, side in tagged:
        joins = group and ((s < end) if s != e else (start < s < end or start == end == s))
        if not joins:
            if group:
                yield _split(start, end, group)
            group, start, end = [], s, e
        group.append((s, e, ins, side))
        end = max(end, e)
    if group:
        yield _split(start, end, group)


def _split(start: int, end: int, group: list) -> tuple[int, int, list, list]:
    return (
        start,
        end,
        [(s, e, i) for s, e, i, side in group if side == 0],
        [(s, e, i) for s, e, i, side in group if side == 1],
    )


def _apply(base: str, start: int, end: int, changes: list[Change]) -> str:
    """base[start:end] with one side's changes in it."""
    out, at = [], start
    for s, e, ins in changes:
        out += [base[at:s], ins]
        at = e
    out.append(base[at:end])
    return "".join(out)


def _merge_codes(base: str, ours: str, theirs: str) -> str:
    """Merge whole words: a word of base stays unless either side removed it; every
    inserted word stays, theirs first where both inserted at the same spot."""
    our_inserts, we_keep = _edits(base, ours, _dmp.diff_main(base, ours, False))
    their_inserts, they_keep = _edits(base, theirs, _dmp.diff_main(base, theirs, False))
    return _interleave(base, our_inserts, we_keep, their_inserts, they_keep)


def _merge_characters(base: str, ours: str, theirs: str) -> str:
    """Merge character by character, each edit slid to a word boundary: for words
    both sides changed."""
    our_inserts, we_keep = _edits(base, ours, diff(base, ours))
    their_inserts, they_keep = _edits(base, theirs, diff(base, theirs))
    return _interleave(base, our_inserts, we_keep, their_inserts, they_keep)


def _interleave(
    base: str,
    our_inserts: list[str],
    we_keep: list[bool],
    their_inserts: list[str],
    they_keep: list[bool],
) -> str:
    out = []
    for i, char in enumerate(base):
        out += [their_inserts[i], our_inserts[i]]
        if we_keep[i] and they_keep[i]:
            out.append(char)
    out += [their_inserts[-1], our_inserts[-1]]
    return "".join(out)


class _Words:
    """Each distinct word of some texts as one character, so that a character diff
    of the codes is a word diff. Codes skip the surrogate range, so the browser's
    port (static/js/sync-model.js) diffs the very same codes."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.words: dict[str, str] = {}

    def encode(self, text: str) -> str:
        out = []
        for word in split_words(text):
            code = self.codes.get(word)
            if code is None:
                n = len(self.codes) + 0x100
                code = chr(n if n < 0xD800 else n + 0x800)
                self.codes[word], self.words[code] = code, word
            out.append(code)
        return "".join(out)

    def decode(self, codes: str) -> str:
        return "".join(self.words[c] for c in codes)


_STOPS = frozenset(".,;:!?\u2026")


def split_words(text: str) -> list[str]:
    """The words of text as merge_texts counts them (see there); joined, they are
    the text again. str.isspace decides what a space is."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        start = i
        while i < n and text[i].isspace():
            i += 1
        while i < n and not text[i].isspace():
            i += 1
        word = text[start:i]
        cut = len(word)
        while cut > 0 and word[cut - 1] in _STOPS:
            cut -= 1
        if 0 < cut < len(word) and not word[cut - 1].isspace():
            out += [word[:cut], word[cut:]]
        else:
            out.append(word)
    return out


def _edits(base: str, other: str, diffs: list) -> tuple[list[str], list[bool]]:
    """Return what other inserts before each position of base, and which it keeps."""
    inserts, keeps = [""] * (len(base) + 1), [True] * len(base)
    at = 0
    for op, data in diffs:
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
    """Character diff, each edit slid to a word boundary where one is as good: for
    patches and carets, which need characters (merges go word by word)."""
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
