"""Compare the policy at two points: which sections and sentences were added,
removed, moved or changed, with word-level diffs inside changed sentences.
Pure: it takes two PolicyStates (server.history.replay). A sentence is changed
when it reads differently (`reads`): spaces alone are no change.

Things are matched by id, so a sentence keeps its identity through edits, and a
sentence removed is matched with one added to its section with exactly its text
(`_same_text`). "Moved"
means its order changed relative to the others kept: the longest run kept in
the same order stays put and the rest moved (or, for a section, it changed
part). Removed things are shown where they were, after the last thing before
them that is still there.
"""

from __future__ import annotations

from bisect import bisect_left

from server.history.replay import PolicyState, _order
from server.text.worddiff import DELETE, INSERT, Piece, tokens, word_diff

ADDED, REMOVED, MOVED, CHANGED, UNCHANGED = "added", "removed", "moved", "changed", "unchanged"
# A sentence sharing fewer of its words than this with its old text was rewritten:
# show the old text removed and the new added. A word-level diff of two unrelated
# sentences says the same after its semantic clean-up, at ten times the cost, and a
# diff between distant points can hold hundreds of rewritten sentences.
REWRITTEN_BELOW = 0.5


def sentence_pieces(before: str, after: str) -> list[Piece]:
    """Word-level changes from before to after (server.text.worddiff), or the whole
    sentence replaced when it was rewritten."""
    old = [t for t in tokens(before) if t[0].isalnum()]
    new = [t for t in tokens(after) if t[0].isalnum()]
    if old and new:
        common = len(set(old) & set(new))
        if common / max(len(set(old)), len(set(new))) < REWRITTEN_BELOW:
            return [Piece(DELETE, before), Piece(INSERT, after)]
    return word_diff(before, after)


def _stay_put(a_ids: list[int], b_ids: list[int]) -> set[int]:
    """Ids kept in the same relative order: a longest increasing subsequence of
    their old places, taken in their new order (n log n)."""
    common = set(a_ids) & set(b_ids)
    place = {i: n for n, i in enumerate(x for x in a_ids if x in common)}
    seq = [i for i in b_ids if i in common]
    tails: list[int] = []
    tails_at: list[int] = []
    parent: dict[int, int | None] = {}
    for i in seq:
        k = bisect_left(tails, place[i])
        parent[i] = tails_at[k - 1] if k else None
        if k == len(tails):
            tails.append(place[i])
            tails_at.append(i)
        else:
            tails[k], tails_at[k] = place[i], i
    out: set[int] = set()
    node = tails_at[-1] if tails_at else None
    while node is not None:
        out.add(node)
        node = parent[node]
    return out


def _interleave(a_ids: list[int], b_ids: list[int]) -> list[int]:
    """b's order, with ids only in a placed after their nearest kept predecessor."""
    in_b = set(b_ids)
    after: dict[int | None, list[int]] = {}
    anchor = None
    for i in a_ids:
        if i in in_b:
            anchor = i
        else:
            after.setdefault(anchor, []).append(i)
    out = list(after.get(None, []))
    for i in b_ids:
        out.append(i)
        out.extend(after.get(i, []))
    return out


def compare(
    a: PolicyState, b: PolicyState, *, section_id: int | None = None, unchanged: bool = False
) -> dict:
    """The differences from a to b. Sections without changes are left out unless
    `unchanged`; changed sections list every sentence, unchanged ones included, so
    a reader sees the changes in context."""

    def section_order(state: PolicyState) -> list[int]:
        parts = {p["id"]: p["position"] for p in state.parts.values()}
        rows = sorted(
            state.sections.values(),
            key=lambda s: (parts.get(s["part_id"], ""), s["part_id"], s["position"], s["id"]),
        )
        return [s["id"] for s in rows if section_id is None or s["id"] == section_id]

    a_sec, b_sec = section_order(a), section_order(b)
    put = _stay_put(a_sec, b_sec)
    a_text, b_text = _by_section(a), _by_section(b)
    totals = {
        f"{thing}_{change}": 0
        for thing in ("sections", "sentences")
        for change in (ADDED, REMOVED, MOVED, CHANGED)
    }
    out = []
    for sid in _interleave(a_sec, b_sec):
        old, new = a.sections.get(sid), b.sections.get(sid)
        sentences, counts = _sentences(a_text.get(sid, []), b_text.get(sid, []))
        for key, n in counts.items():
            totals[f"sentences_{key}"] += n
        if old is None:
            change = ADDED
        elif new is None:
            change = REMOVED
        elif sid not in put or old["part_id"] != new["part_id"]:
            change = MOVED
        elif (
            old["title"] != new["title"]
            or any(counts.values())
            or old["subgroup_id"] != new["subgroup_id"]
            or old["status"] != new["status"]
        ):
            change = CHANGED
        else:
            change = UNCHANGED
        if change != UNCHANGED:
            totals[f"sections_{change}"] += 1
        if change == UNCHANGED and not unchanged:
            continue
        now = new or old
        entry = {
            "id": sid,
            "change": change,
            "part_id": now["part_id"],
            "part_title": (b.parts.get(now["part_id"]) or a.parts.get(now["part_id"]) or {}).get(
                "title", ""
            ),
            "title": now["title"],
            "kind": now["kind"],
            "sentences": sentences,
            "title_before": old["title"] if old and new and old["title"] != new["title"] else None,
            "text_changed": any(counts.values()),
        }
        out.append(entry)
    return {"summary": totals, "sections": out}


def _by_section(state: PolicyState) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for s in state.sentences.values():
        out.setdefault(s["section_id"], []).append(s)
    return {k: _order(v) for k, v in out.items()}


def reads(text: str) -> str:
    """A sentence as a reader sees it: spaces at its ends, or two where one would do,
    are not there on any page (a split leaves the space after a full stop at the end
    of the first half). Texts that read the same are not a change."""
    return " ".join(text.split())


def _same_text(old: list[dict], new: list[dict]) -> dict[int, int]:
    """Pairs (removed id -> added id) of a section's sentences removed and added with
    exactly the same text. A restore brings a removed sentence back under a new id,
    and a sentence cut and typed again reads the same: a reader sees no change, so
    the review, the diff and a release's changes must not list it as removed and
    added (they did, once for every sentence a restore brought back). Paired in
    reading order, each at most once."""
    old_ids, new_ids = {s["id"] for s in old}, {s["id"] for s in new}
    removed: dict[str, list[int]] = {}
    for s in old:
        if s["id"] not in new_ids:
            removed.setdefault(reads(s["text"]), []).append(s["id"])
    pairs = {}
    for s in new:
        if s["id"] not in old_ids and removed.get(reads(s["text"])):
            pairs[removed[reads(s["text"])].pop(0)] = s["id"]
    return pairs


def _sentences(old: list[dict], new: list[dict]) -> tuple[list[dict], dict]:
    """The rows of one section's sentences from `old` to `new`, and their counts. A
    pair of `_same_text` counts as one sentence, under its current id."""
    pairs = _same_text(old, new)
    if pairs:
        old = [{**s, "id": pairs[s["id"]]} if s["id"] in pairs else s for s in old]
    a_ids, b_ids = [s["id"] for s in old], [s["id"] for s in new]
    a, b = {s["id"]: s for s in old}, {s["id"]: s for s in new}
    put = _stay_put(a_ids, b_ids)
    counts = {ADDED: 0, REMOVED: 0, MOVED: 0, CHANGED: 0}
    out = []
    for i in _interleave(a_ids, b_ids):
        before, after = a.get(i), b.get(i)
        row = {"id": i, "text": (after or before)["text"], "before": None, "pieces": None}
        if before is None:
            row["change"] = ADDED
        elif after is None:
            row["change"] = REMOVED
        else:
            moved = i not in put
            edited = reads(before["text"]) != reads(after["text"])
            row["change"] = MOVED if moved else CHANGED if edited else UNCHANGED
            row["moved"] = moved
            if edited:
                row["before"] = before["text"]
                row["pieces"] = [
                    p.as_dict() for p in sentence_pieces(before["text"], after["text"])
                ]
                if moved:
                    counts[CHANGED] += 1
        if row["change"] != UNCHANGED:
            counts[row["change"]] += 1
        row.setdefault("moved", False)
        out.append(row)
    return out, counts
