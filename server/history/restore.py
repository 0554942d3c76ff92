"""Restore a sentence or a section to an earlier text, as new changes.

History is never rewritten: a restore is one or more ordinary ops made through
server.editing.services (edit, insert, delete, move), marked
Origin(cause="restore"), so connected editors receive them live like any other
change and the timeline shows who restored what and when. Callers check that the
person may edit the section (Action.EDIT_TEXT) first.
"""

from __future__ import annotations

from diff_match_patch import diff_match_patch
from sqlalchemy.orm import Session

from server import sync
from server.accounts.models import User
from server.editing import services as editing
from server.errors import Conflict, InvalidInput
from server.history import services as history
from server.history import store
from server.policies.models import Section, Sentence
from server.policies.oplog import Origin
from server.policies.services import sentences_of

RESTORE = Origin(cause="restore")
_dmp = diff_match_patch()
_dmp.Diff_Timeout = 0


def _edit(db: Session, section: Section, row: Sentence, user: User, text: str) -> dict | None:
    if row.text == text:
        return None
    patch = _dmp.patch_toText(_dmp.patch_make(row.text, text))
    op = editing.edit_text(db, section, row, user, row.version, patch, RESTORE)
    return op if op.get("seq") is not None else None


def _live(db: Session, section_id: int) -> list[Sentence]:
    return sentences_of(db, [section_id])[section_id]


def restore_sentence(
    db: Session, section: Section, sentence: Sentence, user: User, version: int
) -> list[dict]:
    """Give a sentence the exact text of one of its versions. A deleted or merged
    sentence comes back as a new sentence where it was, unless a live sentence of
    the section already has exactly that text (an earlier restore brought it back,
    or someone typed it again): then, as for a section, there is nothing to do.
    Returns the ops made (none if it already reads so)."""
    text = history.sentence_version(db, sentence.id, version).text
    if sentence.section_id != section.id:
        raise InvalidInput("That sentence is not in this section.")
    if sentence.deleted_at is None:
        op = _edit(db, section, sentence, user, text)
        return [op] if op else []
    if not text:
        raise InvalidInput(
            "That version is empty: there is nothing to bring back.", fields={"version": ["Empty."]}
        )
    live = _live(db, section.id)
    if any(s.text == text for s in live):
        return []
    before = [s for s in live if (s.position, s.id) < (sentence.position, sentence.id)]
    place = sync.Place(after=before[-1].id) if before else sync.Place(at="start")
    return [editing.insert(db, section, user, text, place, RESTORE)]


def _match(target: list[dict], live: list[Sentence]) -> list[Sentence | None]:
    """The live sentence each target sentence becomes: the same sentence if it is
    still there, else an unclaimed live sentence with exactly its text (one that an
    earlier restore brought back, say), else None (insert it). Keeping sentences
    where the text is equal keeps their ids, so comments stay on them and a
    repeated restore has nothing to do."""
    by_id = {row.id: row for row in live}
    wanted = {t["id"] for t in target}
    spare: dict[str, list[Sentence]] = {}
    for row in live:
        if row.id not in wanted:
            spare.setdefault(row.text, []).append(row)
    matched: list[Sentence | None] = []
    for t in target:
        row = by_id.get(t["id"])
        if row is None and spare.get(t["text"]):
            row = spare[t["text"]].pop(0)
        matched.append(row)
    return matched


def restore_section(db: Session, section: Section, user: User, point: history.Point) -> list[dict]:
    """Make a section's sentences read as they did at `point`: sentences added since
    are deleted, changed ones get their old text back, removed ones return (as new
    sentences, unless a sentence with that exact text is there to keep), and the
    order is put back. The title and owner are not touched. A section that already
    reads so gets no ops at all."""
    state = store.state_at(db, section.policy_id, point.seq)
    if section.id not in state.sections:
        raise InvalidInput(
            f"This section did not exist at {point.label}.",
            fields={"point": ["The section did not exist then."]},
        )
    target = state.section_sentences(section.id)
    ops: list[dict] = []
    live = _live(db, section.id)
    matched = _match(target, live)
    kept = {row.id for row in matched if row is not None}
    try:
        for row in live:
            if row.id not in kept:
                ops.append(editing.delete(db, section, row, user, row.version, RESTORE))
        order: list[int] = []
        for t, row in zip(target, matched, strict=True):
            if row is not None:
                op = _edit(db, section, row, user, t["text"])
                if op:
                    ops.append(op)
                order.append(row.id)
            else:
                place = sync.Place(after=order[-1]) if order else sync.Place(at="start")
                op = editing.insert(db, section, user, t["text"], place, RESTORE)
                ops.append(op)
                order.append(op["sentence"]["id"])
        current = [s.id for s in _live(db, section.id)]  # the same sentences as `order`
        for n, sid in enumerate(order):
            if current.index(sid) == n:
                continue
            place = sync.Place(after=order[n - 1]) if n else sync.Place(at="start")
            ops.append(editing.move(db, section, db.get(Sentence, sid), user, place, RESTORE))
            current.remove(sid)
            current.insert(n, sid)  # where the move put it: current[:n] is order[:n]
    except (sync.SyncError, editing.StaleWrite) as exc:  # a concurrent edit: try again
        raise Conflict(
            "Someone changed this section while it was being restored. Try again."
        ) from exc
    return ops
