"""Who wrote each sentence of a section, and who changed its text since: the
history tab's "who wrote what" beside the section. The writer is the one
definition of server/participation/words.py, so this view and "your words in the
policy" never disagree (the history said the member who split a sentence wrote
it, while their words page gave them none of its words)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.accounts.services import users_by_id
from server.history.models import Revision
from server.participation import words
from server.policies.models import Policy, Section, Sentence
from server.policies.services import sentences_of

TEXT_KINDS = ("edit", "split", "merge")


@dataclass
class Attribution:
    sentence: Sentence
    written_by: User | None
    changed_by: list[tuple[User | None, int]]  # (person, how many revisions), most first
    last_changed_at: datetime | None


def section_attribution(db: Session, section: Section) -> list[Attribution]:
    """Who wrote each live sentence and who changed its text since, in three
    queries for the whole section (the writers come from the policy's cache)."""
    sentences = sentences_of(db, [section.id])[section.id]
    ids = [s.id for s in sentences]
    policy = db.get(Policy, section.policy_id)
    writers = {sid: p.writer for sid, p in words.sentence_people(db, policy, section.id).items()}
    counts: dict[int, list[tuple[int | None, int, datetime]]] = {i: [] for i in ids}
    if ids:
        for sid, author, n, last in db.execute(
            select(
                Revision.sentence_id, Revision.author_id, func.count(), func.max(Revision.ended_at)
            )
            .where(Revision.sentence_id.in_(ids), Revision.kind.in_(TEXT_KINDS))
            .group_by(Revision.sentence_id, Revision.author_id)
        ):
            counts[sid].append((author, n, last))
    wanted = {writers.get(s.id) for s in sentences} | {
        a for rows in counts.values() for a, _n, _l in rows
    }
    users = users_by_id(db, wanted)
    out = []
    for s in sentences:
        rows = sorted(counts[s.id], key=lambda r: -r[1])
        last = max((r[2] for r in rows), default=None)
        out.append(
            Attribution(
                s, users.get(writers.get(s.id)), [(users.get(a), n) for a, n, _l in rows], last
            )
        )
    return out
