"""Apply one client's patch to one sentence's text.

The server holds the one true text of each sentence. A client sends a
diff-match-patch patch (patch_toText format) made against the version it last
saw. Each hunk's text, its context plus what it deletes, must still be in the
sentence verbatim; the hunk is applied at the occurrence nearest the offset it
names. Against the current version that is an exact apply. Against an older
version it lets typing elsewhere in the sentence merge, while a hunk whose
surroundings someone else changed refuses the whole edit as a conflict: the
client merges the fresh text in locally, losing nothing, and sends again.

diff-match-patch's fuzzy patch_apply is deliberately not used: it compares a
hunk's context with a same-length slice of the current text, so when others
have typed inside that context it can drop its insertion into the middle of
their words ("<C18K3>" became "< <C9K28>C18K3>" in the convergence tests).

Offsets count Unicode code points (Python's str). Because hunks are found by
their text, a JavaScript client counting UTF-16 units still lands in the right
place when the sentence has emoji.
"""

from dataclasses import dataclass, replace

from diff_match_patch import diff_match_patch

from .errors import BadPatch, Conflict, FutureVersion, TooLong
from .merge import merge_texts
from .ordering import ensure_live

# A real patch holds the deleted text, the inserted text and some context for
# each hunk: for texts of at most max_len characters that stays under ~6 x
# max_len. Anything bigger is refused before it costs time hunk by hunk.
_PATCH_CONTENT_PER_MAX_LEN = 8

_dmp = diff_match_patch()


@dataclass(frozen=True)
class SentenceState:
    """One sentence as the engine sees it.

    The id comes from the database. version starts at 1 and grows with every
    accepted text change. A deleted sentence stays as a tombstone (deleted,
    maybe merged_into another id) so late edits to it are answered, not lost.
    """

    id: int
    text: str
    version: int
    position: str
    deleted: bool = False
    merged_into: int | None = None


@dataclass(frozen=True)
class TextEditResult:
    """An accepted edit: the new state and what other clients need to follow.

    patch turns the previous server text into the new one; it is empty when the
    edit changed nothing (and the version did not move).
    """

    sentence: SentenceState
    patch: str

    @property
    def changed(self) -> bool:
        return bool(self.patch)

    def message(self) -> dict:
        """Return the broadcast for everyone else (and the sender's ack body)."""
        s = self.sentence
        return {"op": "edit", "id": s.id, "version": s.version, "text": s.text, "patch": self.patch}


def same_words(a: str, b: str) -> bool:
    """Say whether two texts differ only in spaces at either end: such a change is
    never recorded (issue 17: an undo left a trailing space that history showed as
    "Changed" with nothing highlighted). Doubled spaces inside are words' business:
    deleting one is a change. static/js/sync-model.js `sameWords` is the same rule."""
    return a.strip() == b.strip()


def apply_text_edit(
    current: SentenceState,
    base_version: int,
    patch_text: str,
    *,
    max_len: int,
    base_text: str | None = None,
) -> TextEditResult:
    """Apply a client's patch made against base_version to the current sentence.

    When others saved since and the caller still has the text at base_version
    (base_text), the patch is applied exactly to that text and the result merged
    three ways with the current text (merge.merge_texts, the clients' own merge):
    nobody's words are lost and no retry is needed. Without base_text, the hunks
    are matched in the current text as described above.

    Raises Gone, FutureVersion, BadPatch, Conflict (details: current text and
    version) or TooLong; on any of them nothing has changed.
    """
    ensure_live(current)
    if base_version > current.version:
        raise FutureVersion.on(current, base_version)
    patches = _parse(patch_text, max_len)
    if base_version < current.version and base_text is not None:
        base = replace(current, text=base_text, version=base_version)
        text = merge_texts(base_text, _apply(patches, base), current.text)
    else:
        text = _apply(patches, current)
    check_length(text, max_len)
    if text == current.text:
        return TextEditResult(current, "")
    new = replace(current, text=text, version=current.version + 1)
    return TextEditResult(new, _dmp.patch_toText(_dmp.patch_make(current.text, text)))


def check_length(text: str, max_len: int) -> None:
    """Refuse text longer than max_len; it is never truncated."""
    if len(text) > max_len:
        raise TooLong(f"the text would be {len(text)} characters", max_len=max_len)


def _parse(patch_text: str, max_len: int) -> list:
    if not isinstance(patch_text, str):
        raise BadPatch("the patch must be text")
    try:
        patches = _dmp.patch_fromText(patch_text)
    except ValueError as error:
        raise BadPatch(f"not a patch: {error}") from None
    if not all(patch.diffs for patch in patches):
        raise BadPatch("a hunk has no lines")
    content = sum(len(data) for patch in patches for _, data in patch.diffs)
    if content > _PATCH_CONTENT_PER_MAX_LEN * max_len + 100:
        raise TooLong(f"the patch carries {content} characters", max_len=max_len)
    return patches


def _apply(patches: list, current: SentenceState) -> str:
    text = current.text
    for patch in patches:
        before, after = _dmp.diff_text1(patch.diffs), _dmp.diff_text2(patch.diffs)
        at = _nearest(text, before, patch.start2)
        if at < 0:
            raise Conflict.on(current, "someone changed the text around this edit")
        text = text[:at] + after + text[at + len(before) :]
    return text


def _nearest(text: str, pattern: str, loc: int) -> int:
    """Return where pattern occurs in text closest to loc, or -1."""
    left = text.rfind(pattern, 0, max(loc, 0) + len(pattern))
    right = text.find(pattern, max(loc, 0))
    if left < 0 or (right >= 0 and right - loc < loc - left):
        return right
    return left
