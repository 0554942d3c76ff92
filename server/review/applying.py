"""Apply an approved proposal to the text, through the live-editing engine.

Every step is an ordinary op (edit, insert, delete) recorded in the op log, so
everyone connected sees the change at once and history shows it with
`cause: "proposal:<id>"`. The whole proposal is planned before anything is
written: if the text moved since the proposal was made, the words are merged
when the two changes touch different words; when they touch the same words, or
the sentence it is about was removed, nothing is written and the proposal is
marked as conflicting with both texts kept, never applied half way or dropped.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from types import SimpleNamespace

from diff_match_patch import diff_match_patch
from sqlalchemy.orm import Session

from server import sync
from server.accounts.models import User
from server.editing import services as editing
from server.policies.models import Section, Sentence
from server.policies.oplog import Origin
from server.policies.services import parse_text, sentences_of
from server.review.models import Proposal, ProposalKind
from server.sync.merge import merge_clean

_dmp = diff_match_patch()


@dataclass(frozen=True)
class Step:
    op: str  # "edit", "insert" (after `sentence_id`; None = at the start) or "delete"
    sentence_id: int | None
    texts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...] = ()
    conflict: dict | None = None  # {"reason", "current", "proposed"} when it cannot apply


def plan(db: Session, proposal: Proposal) -> Plan:
    """Decide every step against the text as it is now, or say why it conflicts."""
    kind = ProposalKind(proposal.kind)
    if kind == ProposalKind.REWRITE:
        return _plan_rewrite(db, proposal)
    rows = {b["id"]: db.get(Sentence, b["id"]) for b in proposal.base}
    if kind == ProposalKind.INSERT:
        anchor = rows.get(proposal.sentence_ids[0]) if proposal.sentence_ids else None
        if proposal.sentence_ids and (anchor is None or anchor.deleted_at is not None):
            return _conflict("The sentence it was to follow has been removed.", "", proposal.text)
        return Plan(
            (Step("insert", anchor.id if anchor else None, tuple(parse_text(proposal.text))),)
        )
    if kind == ProposalKind.DELETE:
        steps = []
        for base in proposal.base:
            row = rows[base["id"]]
            if row is None or row.deleted_at is not None:
                continue  # removed already: nothing left to do for this one
            if row.text != base["text"]:
                return _conflict("A sentence it would delete has been changed since.", row.text, "")
            steps.append(Step("delete", row.id))
        return Plan(tuple(steps))
    base = proposal.base[0]
    row = rows[base["id"]]
    if row is None or row.deleted_at is not None:
        return _conflict("The sentence it would change has been removed.", "", proposal.text)
    merged = merge_clean(base["text"], proposal.text, row.text)
    if merged is None:
        return _conflict("The same words were changed in the text since.", row.text, proposal.text)
    first, *rest = parse_text(merged) or [merged]
    steps = [Step("edit", row.id, (first,))]
    if rest:
        steps.append(Step("insert", row.id, tuple(rest)))
    return Plan(tuple(steps))


def _plan_rewrite(db: Session, proposal: Proposal) -> Plan:
    current = sentences_of(db, [proposal.section_id])[proposal.section_id]
    base_text = " ".join(b["text"] for b in proposal.base)
    now_text = " ".join(s.text for s in current)
    if [s.id for s in current] == proposal.sentence_ids and now_text == base_text:
        target = parse_text(proposal.text)
    else:
        merged = merge_clean(base_text, proposal.text, now_text)
        if merged is None:
            return _conflict(
                "The same words were changed in the text since.", now_text, proposal.text
            )
        target = parse_text(merged)
    return Plan(tuple(_align(current, target)))


def _align(current: list[Sentence], target: list[str]) -> list[Step]:
    """Steps that turn the current sentences into the target ones, keeping every
    unchanged sentence (and its comments and history) where it is."""
    steps: list[Step] = []
    matcher = difflib.SequenceMatcher(None, [s.text for s in current], target, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(paired):
            steps.append(Step("edit", current[i1 + k].id, (target[j1 + k],)))
        for k in range(i1 + paired, i2):
            steps.append(Step("delete", current[k].id))
        if j1 + paired < j2:
            after = (
                current[i1 + paired - 1].id if paired else (current[i1 - 1].id if i1 > 0 else None)
            )
            steps.append(Step("insert", after, tuple(target[j1 + paired : j2])))
    return steps


def _conflict(reason: str, current: str, proposed: str) -> Plan:
    return Plan(conflict={"reason": reason, "current": current, "proposed": proposed})


def execute(db: Session, proposal: Proposal, plan_: Plan, by: User | None) -> int:
    """Write the plan as ops; return how many. The caller's transaction makes them
    all or nothing. The proposal's author is recorded as their author."""
    author = db.get(User, proposal.author_id) if proposal.author_id else None
    user = author or by or SimpleNamespace(id=None)
    section = db.get(Section, proposal.section_id)
    origin = Origin(cause=f"proposal:{proposal.id}")
    count = 0
    for step in plan_.steps:
        if step.op == "edit":
            row = editing.sentence_row(db, step.sentence_id)
            patch = _dmp.patch_toText(_dmp.patch_make(row.text, step.texts[0]))
            editing.edit_text(db, section, row, user, row.version, patch, origin)
            count += 1
        elif step.op == "delete":
            row = editing.sentence_row(db, step.sentence_id)
            editing.delete(db, section, row, user, row.version, origin)
            count += 1
        else:
            after = step.sentence_id
            for text in step.texts:
                place = sync.Place(after=after) if after else sync.Place(at="start")
                op = editing.insert(db, section, user, text, place, origin)
                after = op["sentence"]["id"]
                count += 1
    return count
