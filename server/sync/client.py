"""A reference model of one browser editing one section.

The JavaScript editor mirrors this, and the tests run many of them against the
engine to show that clients converge and keep their users' typing.

Per sentence the client keeps the last server text it saw (shadow, with its
version), the text the user sees (local), and at most one edit in flight
(sent: the local text when it went, rebased along with local since). Every
server change is folded into local by a three-way merge with the shadow as
base. The merge keeps every insertion from both sides, so unsent typing is
never lost while other people's changes appear. After a conflict the client
simply sends local again, diffed against the fresh server text.

Structural changes are not applied locally first: the client asks, and applies
the op when the server's reply or broadcast arrives.

The model relies on what one Socket.IO connection gives: replies and
broadcasts arrive in the order the server sent them, which is the order it
committed them in. A reply to a sentence's edit therefore always follows every
earlier change to that sentence.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

from .ordering import in_order
from .text import SentenceState

_dmp = diff_match_patch()
# No time limit: diffs are then minimal, so typing shows up as insertions only,
# never as delete-and-retype, which a merge could reorder around other people's
# text; and the result does not depend on how fast the machine is.
_dmp.Diff_Timeout = 0


@dataclass(frozen=True)
class Request:
    """A socket event to send; its reply goes back to Client.receive_reply."""

    event: str
    data: dict


@dataclass(frozen=True)
class Orphan:
    """Unsaved text of a sentence someone deleted, for the user to keep or drop."""

    sentence_id: int
    text: str


@dataclass(frozen=True)
class Refusal:
    """A request the server refused that retrying would not fix, to show the user."""

    request: Request
    reply: dict


@dataclass
class _Sentence:
    id: int
    position: str
    shadow: str
    version: int
    local: str
    sent: str | None = None
    held: bool = False  # refused for good: send again only once the user types


class Client:
    """One browser's view of a section, driven by the user and the server."""

    def __init__(self, section: Iterable[SentenceState]) -> None:
        self._sentences = {
            s.id: _Sentence(s.id, s.position, s.text, s.version, s.text)
            for s in section
            if not s.deleted
        }
        self.orphans: list[Orphan] = []
        self.refused: list[Refusal] = []

    # What the user sees.

    def sentences(self) -> list[tuple[int, str]]:
        """Return (id, text) of every sentence, in order, as the user sees them."""
        return [(s.id, s.local) for s in in_order(self._sentences.values())]

    def text(self, sentence_id: int) -> str:
        return self._sentences[sentence_id].local

    def is_settled(self) -> bool:
        """Say whether everything the user typed is saved and nothing is in flight."""
        return all(s.local == s.shadow and s.sent is None for s in self._sentences.values())

    # What the user does.

    def edit(self, sentence_id: int, text: str) -> None:
        """Show the user's new text for a sentence; pending() will send it."""
        sentence = self._sentences[sentence_id]
        sentence.local, sentence.held = text, False

    def split(self, sentence_id: int, offset: int) -> Request:
        """Ask to split a sentence where the user's cursor is (offset in local text)."""
        s = self._sentences[sentence_id]
        at = _map_offset(s.local, s.shadow, offset)
        return Request("split_sentence", {"id": s.id, "base_version": s.version, "offset": at})

    def merge(self, sentence_id: int) -> Request:
        """Ask to append a sentence to the one before it (like backspace at its start)."""
        order = in_order(self._sentences.values())
        index = [s.id for s in order].index(sentence_id)
        if index == 0:
            raise ValueError("the first sentence has nothing before it to merge into")
        into, sentence = order[index - 1], order[index]
        return Request(
            "merge_sentence",
            {
                "id": sentence.id,
                "base_version": sentence.version,
                "into": into.id,
                "into_base_version": into.version,
            },
        )

    def delete(self, sentence_id: int) -> Request:
        s = self._sentences[sentence_id]
        return Request("delete_sentence", {"id": s.id, "base_version": s.version})

    def move(self, sentence_id: int, place: dict) -> Request:
        return Request("move_sentence", {"id": sentence_id, "place": place})

    def insert(self, text: str, place: dict) -> Request:
        return Request("insert_sentence", {"text": text, "place": place})

    def pending(self) -> list[Request]:
        """Return the edits to send now: one per changed sentence with none in flight."""
        requests = []
        for s in in_order(self._sentences.values()):
            if s.sent is None and not s.held and s.local != s.shadow:
                patch = _dmp.patch_toText(_dmp.patch_make(s.shadow, _diff(s.shadow, s.local)))
                s.sent = s.local
                data = {"id": s.id, "base_version": s.version, "patch": patch}
                requests.append(Request("edit_sentence", data))
        return requests

    # What the server says.

    def receive_reply(self, request: Request, reply: dict) -> None:
        """Take the server's answer to one of this client's requests."""
        if request.event != "edit_sentence":
            if reply["ok"]:
                self.receive(reply)
            else:
                self.refused.append(Refusal(request, reply))
            return
        s = self._sentences.get(request.data["id"])
        if s is None:  # deleted or merged meanwhile: handled when that op arrived
            return
        if reply["ok"]:
            s.local = merge_texts(s.sent, s.local, reply["text"])
            s.shadow, s.version, s.sent = reply["text"], reply["version"], None
            return
        s.sent = None
        error = reply["error"]
        if error["code"] == "conflict":  # pending() retries against the fresh text
            self._fold(s, error["text"], error["version"])
        else:
            s.held = True
            self.refused.append(Refusal(request, reply))

    def receive(self, message: dict) -> None:
        """Apply an op someone made (a broadcast), or one of ours (a reply)."""
        getattr(self, "_on_" + message["op"])(message)

    def _on_edit(self, message: dict) -> None:
        s = self._sentences.get(message["id"])
        if s is not None:
            self._fold(s, message["text"], message["version"])

    def _on_insert(self, message: dict) -> None:
        new = message["sentence"]
        self._sentences[new["id"]] = _Sentence(
            new["id"], new["position"], new["text"], new["version"], new["text"]
        )

    def _on_delete(self, message: dict) -> None:
        s = self._sentences.pop(message["id"])
        if s.local != s.shadow:
            self.orphans.append(Orphan(s.id, s.local))

    def _on_move(self, message: dict) -> None:
        self._sentences[message["id"]].position = message["position"]

    def _on_split(self, message: dict) -> None:
        """Cut local (and sent) where the server cut, so unsent typing stays in its half."""
        first, new = message["sentence"], message["new"]
        s = self._sentences[first["id"]]
        whole, cut = first["text"] + new["text"], len(first["text"])
        local = merge_texts(s.shadow, s.local, whole)
        at = _map_offset(whole, local, cut)
        self._sentences[new["id"]] = _Sentence(
            new["id"], new["position"], new["text"], new["version"], local[at:]
        )
        if s.sent is not None:
            sent = merge_texts(s.shadow, s.sent, whole)
            s.sent = sent[: _map_offset(whole, sent, cut)]
        s.local, s.shadow, s.version = local[:at], first["text"], first["version"]

    def _on_merge(self, message: dict) -> None:
        """Join local texts as the server joined its texts, so unsent typing moves along.

        A reply to an edit in flight for the merged-away sentence is then ignored:
        its typing is already in the joined local text and is sent from there.
        """
        merged, separator = message["into"], message["separator"]
        gone, into = self._sentences.pop(message["id"]), self._sentences[merged["id"]]
        base = into.shadow + separator + gone.shadow
        if into.sent is not None:
            into.sent = merge_texts(base, into.sent + separator + gone.shadow, merged["text"])
        into.local = merge_texts(base, into.local + separator + gone.local, merged["text"])
        into.shadow, into.version = merged["text"], merged["version"]

    def _fold(self, s: _Sentence, text: str, version: int) -> None:
        """Take a newer server text, keeping local (and in-flight) changes on top."""
        if version <= s.version:
            return
        s.local = merge_texts(s.shadow, s.local, text)
        if s.sent is not None:
            s.sent = merge_texts(s.shadow, s.sent, text)
        s.shadow, s.version = text, version


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
    for op, data in _diff(base, other):
        if op == _dmp.DIFF_INSERT:
            inserts[at] += data
            continue
        if op == _dmp.DIFF_DELETE:
            keeps[at : at + len(data)] = [False] * len(data)
        at += len(data)
    return inserts, keeps


def _map_offset(before: str, after: str, offset: int) -> int:
    """Return where an offset in before lands in after (after any text inserted there)."""
    if before == after:
        return offset
    return _dmp.diff_xIndex(_diff(before, after), offset)


def _diff(before: str, after: str) -> list[tuple[int, str]]:
    """Diff, sliding each edit to word boundaries so an inserted word stays whole.

    A raw diff may align part of a new word with a similar old one ("<C1" of
    "<C10>" with "<C1>"); merging two such diffs could interleave the words.
    """
    diffs = _dmp.diff_main(before, after)
    _dmp.diff_cleanupSemanticLossless(diffs)
    return diffs
