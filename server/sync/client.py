"""A reference model of one browser editing a whole policy over the op stream.

static/js/sync-model.js is a line-by-line port of this module, and
tests/sync/test_js_parity.py feeds both the same seeded histories.

The protocol (the socket layer speaks the other side):

- Every committed change has a policy-wide sequence number. The server sends
  it to everyone watching the policy, sender included, as an "op":
  ``{"seq", "origin": client_id or None, "ref": request ref or None,
  "section_id", "op": "edit" | "insert" | ... | "section_move", ...fields}``.
  The client applies ops strictly in seq order. An op from the future waits in
  a buffer until the gap before it fills; one already applied is ignored.
- Requests carry a ``ref`` (increasing, chosen here). A success ack is only
  ``{"ok": True, "seq": n}``: the client learns what its request did from the
  op with its own origin and ref, wherever that op falls in the stream. Acks
  travel apart from broadcasts (several server processes, Redis), so either
  may arrive first, and the stream is the only thing the model trusts for text.
- Joining (and rejoining, always on a fresh connection) answers with the ops
  after ``since`` or, if the server no longer has them, a snapshot.

Per sentence the client keeps the last server text it applied (shadow, with
its version), the text the user sees (local) and at most one edit in flight
(sent: the local text when it went, rebased along with local since). Every
op is folded into local by a three-way merge with the shadow as base. The
merge keeps every insertion from both sides, so unsent typing is never lost
while other people's changes appear. When the client's own edit comes back
in the stream, local is rebased from sent onto the server's result.

A conflict is not folded from the ack's details: they can be ahead of the
stream, and taking a sentence's text before the ops that made it (a split, a
merge) would make those ops misplace typing. The client waits until the
stream has brought the version the conflict named, then sends again. Likewise
an edit answered "gone" waits for the op that removed the sentence, which
carries its unsent typing into the merged sentence or reports it as an orphan.

Structural changes are not applied locally first: the client asks, and
applies the op when it arrives in the stream.

Known risks, both needing a lost connection at the wrong moment:
- A snapshot cannot say whether an edit in flight at the disconnect was
  committed: local is folded onto the snapshot with the shadow as base, so if
  it was, and the user typed more since, its text may appear twice. Snapshots
  only go to clients too far behind for a replay.
- After a replay, an edit whose op is not in it is sent again. If the server
  was still processing the lost request and commits it after answering the
  join, its op arrives later and the typing may be applied twice. Making
  requests idempotent by (client_id, ref) on the server would close this.
"""

from collections.abc import Callable
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

from .merge import diff as _diff
from .merge import map_offset as _map_offset
from .merge import merge_texts
from .text import same_words

_dmp = diff_match_patch()
# No time limit: diffs are then minimal, so typing shows up as insertions only,
# never as delete-and-retype, which a merge could reorder around other people's
# text; and the result does not depend on how fast the machine is.
_dmp.Diff_Timeout = 0

# Refusals that say nothing about the edit itself: send it again later.
_TRANSIENT = {"busy", "rate_limited"}
# Refusals that mean the sentence no longer exists: its removal is on its way.
_GONE = {"gone", "not_found"}
# Refusals that mean this client's view of the policy is off: rejoin.
_RESYNC = {"not_joined", "future_version"}


@dataclass(frozen=True)
class Request:
    """A socket event to emit; its ack goes back to Client.receive_ack."""

    event: str
    data: dict


@dataclass(frozen=True)
class Orphan:
    """Unsaved text of a sentence someone deleted, for the user to keep or drop."""

    sentence_id: int
    text: str
    by: int | None = None  # who deleted the sentence (the op's `by`), to name them


@dataclass(frozen=True)
class Refusal:
    """A request the server refused that retrying would not fix, to show the user."""

    request: Request
    ack: dict


@dataclass
class _Sentence:
    id: int
    section_id: int
    position: str
    shadow: str
    version: int
    local: str
    sent: str | None = None
    sent_ref: int | None = None
    held: bool = False  # refused for good: send again only once the user types
    wait_version: int = 0  # a conflict named this version: send once the stream has it
    gone: Refusal | None = None  # answered gone: wait for the op that removes it


class Client:
    """One browser's view of a policy, driven by the user and the server.

    on_change, if given, is called with a dict for each thing to re-render:
    ``{"kind": "sentence", "id", "section_id", "op"}`` (one sentence's text),
    ``{"kind": "section", "id", "op"}`` (a section's sentence list and texts),
    ``{"kind": "policy", "op"}`` (the list of sections, or everything), and
    ``{"kind": "orphans", "op"}`` (orphans grew). op is the op that caused it
    (None for a snapshot or an ack), so an editor can tell its own inserts.
    """

    def __init__(
        self,
        policy_id: int,
        client_id: str,
        reply: dict,
        on_change: Callable[[dict], None] | None = None,
        *,
        quiet_whitespace: bool = True,
    ) -> None:
        """quiet_whitespace: typing that differs from the server's text only in spaces
        at either end is not sent and counts as saved, and what is sent has none at
        either end, since the server records no such change (text.same_words) and
        would answer it "nothing to do" for ever. static/js/sync-model.js
        `quietWhitespace` does the same; the parity and simulation tests run with it
        off, as their server model keeps such changes."""
        if "sections" not in reply:
            raise ValueError("the first join reply must be a snapshot (send no since)")
        self.policy_id, self.client_id = policy_id, client_id
        self.on_change = on_change
        self.quiet_whitespace = quiet_whitespace
        self.seq = 0
        self.orphans: list[Orphan] = []
        self.refused: list[Refusal] = []
        self._parts: dict[int, dict] = {}
        self._sections: dict[int, dict] = {}
        self._sentences: dict[int, _Sentence] = {}
        self._buffer: dict[int, dict] = {}
        self._known_seq = 0  # the highest seq anyone told us exists
        self._ref = 0
        self._joined = True
        self._rejoin_asked = False  # the server forgot this client, or knows older text
        self._snapshot(reply)

    # What the user sees.

    def sections(self) -> list[dict]:
        """Return every live section's details, in document order."""

        def key(section: dict) -> tuple:
            part = self._parts.get(section.get("part_id"))
            return (
                part is None,
                part["position"] if part else "",
                section.get("part_id") or 0,
                section["position"],
                section["id"],
            )

        return [dict(section) for section in sorted(self._sections.values(), key=key)]

    def sentences(self, section_id: int) -> list[tuple[int, str]]:
        """Return (id, text) of a section's sentences, in order, as the user sees them."""
        found = [s for s in self._sentences.values() if s.section_id == section_id]
        return [(s.id, s.local) for s in sorted(found, key=lambda s: (s.position, s.id))]

    def document(self) -> list[tuple[int, list[tuple[int, str]]]]:
        """Return every section with its sentences, in order, as the user sees them."""
        return [(section["id"], self.sentences(section["id"])) for section in self.sections()]

    def text(self, sentence_id: int) -> str:
        return self._sentences[sentence_id].local

    def sentence_status(self, sentence_id: int) -> dict:
        """Return a sentence's save state, for the editor to show.

        saved: nothing unsent and nothing in flight; sending: an edit is in
        flight; held: refused for good (see refused) until the user types.
        """
        s = self._sentences[sentence_id]
        return {
            "version": s.version,
            "saved": self._unchanged(s) and s.sent is None,
            "sending": s.sent is not None,
            "held": s.held,
        }

    def is_settled(self) -> bool:
        """Say whether everything the user typed is saved and nothing is in flight."""
        return all(self._unchanged(s) and s.sent is None for s in self._sentences.values())

    def _unchanged(self, s: _Sentence) -> bool:
        """Say whether a sentence has nothing to send (see quiet_whitespace)."""
        if s.local == s.shadow:
            return True
        return self.quiet_whitespace and same_words(s.local, s.shadow)

    def needs_resync(self) -> bool:
        """Say whether the stream owes this client something it has not delivered.

        True while there is a gap before buffered ops, an ack named a seq not yet
        applied, or a sentence waits for a version or a removal. Normally that
        lasts a moment; if it lasts (the editor uses a timer), reconnect and send
        rejoin_payload().
        """
        return (
            self._rejoin_asked
            or self._known_seq > self.seq
            or any(
                s.gone is not None or s.wait_version > s.version for s in self._sentences.values()
            )
        )

    # What the user does.

    def edit(self, sentence_id: int, text: str) -> None:
        """Show the user's new text for a sentence; pending() will send it."""
        sentence = self._sentences[sentence_id]
        sentence.local, sentence.held = text, False

    def split(self, sentence_id: int, offset: int) -> Request:
        """Ask to split a sentence where the user's cursor is (offset in local text)."""
        s = self._sentences[sentence_id]
        at = _map_offset(s.local, s.shadow, offset)
        return self._request(
            "split_sentence", {"id": s.id, "base_version": s.version, "offset": at}
        )

    def merge(self, sentence_id: int) -> Request:
        """Ask to append a sentence to the one before it (like backspace at its start)."""
        s = self._sentences[sentence_id]
        order = [self._sentences[i] for i, _ in self.sentences(s.section_id)]
        index = order.index(s)
        if index == 0:
            raise ValueError("the first sentence has nothing before it to merge into")
        into = order[index - 1]
        return self._request(
            "merge_sentence",
            {
                "id": s.id,
                "base_version": s.version,
                "into": into.id,
                "into_base_version": into.version,
            },
        )

    def delete(self, sentence_id: int) -> Request:
        s = self._sentences[sentence_id]
        return self._request("delete_sentence", {"id": s.id, "base_version": s.version})

    def move(self, sentence_id: int, place: dict) -> Request:
        return self._request("move_sentence", {"id": sentence_id, "place": place})

    def insert(self, section_id: int, text: str, place: dict) -> Request:
        return self._request(
            "insert_sentence", {"section_id": section_id, "text": text, "place": place}
        )

    def insert_section(self, details: dict, place: dict) -> Request:
        """Ask for a new section; details: part_id, title, subgroup_id, kind, text."""
        return self._request("insert_section", {**details, "place": place})

    def delete_section(self, section_id: int) -> Request:
        return self._request("delete_section", {"id": section_id})

    def move_section(self, section_id: int, place: dict) -> Request:
        return self._request("move_section", {"id": section_id, "place": place})

    def pending(self) -> list[Request]:
        """Return the edits to send now: one per changed sentence with none in flight."""
        if not self._joined:
            return []
        requests = []
        for s in sorted(self._sentences.values(), key=lambda s: s.id):
            if (
                s.sent is None
                and not s.held
                and s.gone is None
                and s.version >= s.wait_version
                and not self._unchanged(s)
            ):
                text = s.local.strip() if self.quiet_whitespace else s.local
                patch = _dmp.patch_toText(_dmp.patch_make(s.shadow, _diff(s.shadow, text)))
                request = self._request(
                    "edit_sentence", {"id": s.id, "base_version": s.version, "patch": patch}
                )
                s.sent, s.sent_ref = text, request.data["ref"]
                requests.append(request)
        return requests

    # The connection.

    def connection_lost(self) -> None:
        """Stop sending until a rejoin: acks and ops in flight are gone with the socket."""
        self._joined = False

    def rejoin_payload(self) -> dict:
        """Return the join_policy payload that asks for what this client missed."""
        return {"policy_id": self.policy_id, "client_id": self.client_id, "since": self.seq}

    def receive_join(self, reply: dict) -> None:
        """Take the reply to a rejoin: replay the ops it lists, or rebuild from a snapshot.

        Replayed ops go through receive_op, so this client's own ops are
        recognised by origin and ref. An edit whose op was not among them was
        never committed: it is sent again from local.
        """
        if not reply.get("ok"):
            return
        if "sections" in reply:
            self._snapshot(reply)
        else:
            for op in reply["ops"]:
                self.receive_op(op)
            self._known_seq = max(self._known_seq, reply["seq"])
        self._joined, self._rejoin_asked = True, False
        if self.seq < reply["seq"]:
            return  # the replay has a hole: needs_resync() says so
        for s in sorted(self._sentences.values(), key=lambda s: s.id):
            s.sent, s.sent_ref, s.wait_version = None, None, 0
            if s.gone is not None:  # the server says gone, yet no op removed it
                s.held = True
                self.refused.append(s.gone)
                s.gone = None

    # What the server says.

    def receive_ack(self, request: Request, ack: dict) -> None:
        """Take the server's answer to one of this client's requests."""
        if ack.get("ok"):
            seq = ack.get("seq")
            if seq is not None:
                self._known_seq = max(self._known_seq, seq)
            elif request.event == "edit_sentence":  # it changed nothing: no op will come
                s = self._mine(request)
                if s is not None:
                    s.sent, s.sent_ref = None, None
            return
        code = ack["error"]["code"]
        if request.event != "edit_sentence":
            self.refused.append(Refusal(request, ack))
            return
        s = self._mine(request)
        if s is None:  # answered already by the stream, or the sentence is gone
            return
        s.sent, s.sent_ref = None, None
        if code == "conflict":  # pending() retries once the stream has that version
            s.wait_version = max(s.wait_version, ack["error"].get("version", 0))
        elif code in _GONE:
            s.gone = Refusal(request, ack)
        elif code in _RESYNC:
            self._rejoin_asked = True
        elif code not in _TRANSIENT:
            s.held = True
            self.refused.append(Refusal(request, ack))
            self._changed({"kind": "sentence", "id": s.id, "section_id": s.section_id, "op": None})

    def receive_op(self, op: dict) -> None:
        """Take an op from the stream (live or replayed): apply it and any it unblocks."""
        seq = op["seq"]
        if seq <= self.seq:
            return
        self._buffer[seq] = op
        self._known_seq = max(self._known_seq, seq)
        while self.seq + 1 in self._buffer:
            self.seq += 1
            self._apply(self._buffer.pop(self.seq))

    def _apply(self, op: dict) -> None:
        handler = getattr(self, "_on_" + op["op"], None)
        if handler is not None:  # an op this model does not know changes no text
            handler(op)

    def _on_edit(self, op: dict) -> None:
        s = self._sentences.get(op["id"])
        if s is None:
            return
        if self._is_mine(op) and s.sent_ref == op["ref"]:
            s.local = merge_texts(s.sent, s.local, op["text"])
            s.shadow, s.version, s.sent, s.sent_ref = op["text"], op["version"], None, None
        else:
            self._fold(s, op["text"], op["version"])
        self._changed({"kind": "sentence", "id": s.id, "section_id": s.section_id, "op": op})

    def _on_insert(self, op: dict) -> None:
        if op["section_id"] in self._sections:
            self._add(op["section_id"], op["sentence"])
            self._changed({"kind": "section", "id": op["section_id"], "op": op})

    def _on_delete(self, op: dict) -> None:
        s = self._sentences.pop(op["id"], None)
        if s is not None:
            self._orphan(s, op)
            self._changed({"kind": "section", "id": s.section_id, "op": op})

    def _on_move(self, op: dict) -> None:
        s = self._sentences.get(op["id"])
        if s is not None:
            s.position = op["position"]
            self._changed({"kind": "section", "id": s.section_id, "op": op})

    def _on_split(self, op: dict) -> None:
        """Cut local (and sent) where the server cut, so unsent typing stays in its half."""
        first, new = op["sentence"], op["new"]
        s = self._sentences.get(first["id"])
        if s is None:
            return
        whole, cut = first["text"] + new["text"], len(first["text"])
        local = merge_texts(s.shadow, s.local, whole)
        at = _map_offset(whole, local, cut)
        self._add(s.section_id, new, local[at:])
        if s.sent is not None:
            sent = merge_texts(s.shadow, s.sent, whole)
            s.sent = sent[: _map_offset(whole, sent, cut)]
        s.local, s.shadow, s.version = local[:at], first["text"], first["version"]
        self._changed({"kind": "section", "id": s.section_id, "op": op})

    def _on_merge(self, op: dict) -> None:
        """Join local texts as the server joined its texts, so unsent typing moves along.

        An ack to an edit in flight for the merged-away sentence is then ignored:
        its typing is already in the joined local text and is sent from there.
        """
        merged, separator = op["into"], op["separator"]
        into = self._sentences.get(merged["id"])
        gone = self._sentences.pop(op["id"], None)
        if into is None or gone is None:
            if gone is not None:
                self._orphan(gone, op)
            return
        base = into.shadow + separator + gone.shadow
        if into.sent is not None:
            into.sent = merge_texts(base, into.sent + separator + gone.shadow, merged["text"])
        into.local = merge_texts(base, into.local + separator + gone.local, merged["text"])
        into.shadow, into.version = merged["text"], merged["version"]
        self._changed({"kind": "section", "id": into.section_id, "op": op})

    def _on_section_insert(self, op: dict) -> None:
        section = op["section"]
        if section["id"] in self._sections:
            return
        self._sections[section["id"]] = _info(section)
        for sentence in section.get("sentences", []):
            self._add(section["id"], sentence)
        self._changed({"kind": "policy", "op": op})

    def _on_section_delete(self, op: dict) -> None:
        if self._sections.pop(op["id"], None) is None:
            return
        for s in sorted(self._sentences.values(), key=lambda s: (s.position, s.id)):
            if s.section_id == op["id"]:
                del self._sentences[s.id]
                self._orphan(s, op)
        self._changed({"kind": "policy", "op": op})

    def _on_section_move(self, op: dict) -> None:
        section = self._sections.get(op["id"])
        if section is not None:
            section["position"] = op["position"]
            self._changed({"kind": "policy", "op": op})

    # Helpers.

    def _snapshot(self, reply: dict) -> None:
        """Rebuild from a snapshot, keeping unsent typing folded onto the new texts.

        Typing in a sentence the snapshot no longer has becomes an orphan. An
        edit in flight at the disconnect may have been committed: its text is
        then in the snapshot and folded in again (the documented duplicate).
        """
        old = self._sentences
        self.seq = reply["seq"]
        self._known_seq = max(self._known_seq, self.seq)
        self._buffer = {seq: op for seq, op in self._buffer.items() if seq > self.seq}
        self._parts = {part["id"]: dict(part) for part in reply.get("parts", [])}
        self._sections, self._sentences = {}, {}
        for section in reply["sections"]:
            self._sections[section["id"]] = _info(section)
            for sentence in section.get("sentences", []):
                self._add(section["id"], sentence)
                s, before = self._sentences[sentence["id"]], old.get(sentence["id"])
                if before is not None and before.local != before.shadow:
                    s.local = merge_texts(before.shadow, before.local, s.shadow)
                    s.held = before.held
        for before in sorted(old.values(), key=lambda s: s.id):
            if before.id not in self._sentences:
                self._orphan(before, None)
        self._changed({"kind": "policy", "op": None})
        while self.seq + 1 in self._buffer:
            self.seq += 1
            self._apply(self._buffer.pop(self.seq))

    def _add(self, section_id: int, sentence: dict, local: str | None = None) -> None:
        text = sentence["text"]
        self._sentences[sentence["id"]] = _Sentence(
            sentence["id"],
            section_id,
            sentence["position"],
            text,
            sentence["version"],
            text if local is None else local,
        )

    def _orphan(self, s: _Sentence, op: dict | None) -> None:
        if s.local != s.shadow:
            self.orphans.append(Orphan(s.id, s.local, (op or {}).get("by")))
            self._changed({"kind": "orphans", "op": op})

    def _fold(self, s: _Sentence, text: str, version: int) -> None:
        """Take a newer server text, keeping local (and in-flight) changes on top."""
        if version <= s.version:
            return
        s.local = merge_texts(s.shadow, s.local, text)
        if s.sent is not None:
            s.sent = merge_texts(s.shadow, s.sent, text)
        s.shadow, s.version = text, version

    def _request(self, event: str, data: dict) -> Request:
        self._ref += 1
        return Request(event, {"ref": self._ref, **data})

    def _mine(self, request: Request) -> _Sentence | None:
        """Return the sentence whose edit in flight is this request, if still so."""
        s = self._sentences.get(request.data["id"])
        return s if s is not None and s.sent_ref == request.data["ref"] else None

    def _is_mine(self, op: dict) -> bool:
        return op.get("origin") == self.client_id and op.get("ref") is not None

    def _changed(self, change: dict) -> None:
        if self.on_change is not None:
            self.on_change(change)


def _info(section: dict) -> dict:
    return {key: value for key, value in section.items() if key != "sentences"}
