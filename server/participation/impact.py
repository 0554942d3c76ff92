"""Each member's impact ("your words in the policy"): the sentences of the current
text they wrote or changed, with how many of its words count for them; their
suggestions the group accepted; and the decisions they voted in."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.participation import words
from server.policies.models import Part, Policy, Section, Sentence
from server.review.models import Ballot, Proposal, ProposalStatus, Vote


@dataclass
class MySentence:
    id: int
    text: str
    section_id: int
    section: str
    my_words: int
    wrote: bool  # they wrote it (not only changed it)


def impact(db: Session, policy: Policy, user_id: int) -> dict:
    """What of this member's is in the policy. A sentence is theirs when they wrote
    it, last changed its words, or some of its words count for them, all by the one
    definition in server/participation/words.py: splitting, joining or restoring a
    sentence alone makes nothing theirs."""
    people = words.sentence_people(db, policy)
    mine = {
        sid
        for sid, p in people.items()
        if user_id in (p.writer, p.editor) or p.credits.get(user_id)
    }
    rows = []
    if mine:
        for s, title in db.execute(
            select(Sentence, Section.title)
            .join(Section, Section.id == Sentence.section_id)
            .join(Part, Part.id == Section.part_id)
            .where(Sentence.id.in_(mine))
            .order_by(Part.position, Section.position, Sentence.position, Sentence.id)
        ):
            p = people[s.id]
            rows.append(
                MySentence(
                    s.id,
                    s.text,
                    s.section_id,
                    title,
                    p.credits.get(user_id, 0),
                    p.writer == user_id,
                )
            )
    accepted = list(
        db.execute(
            select(Proposal, Section.title)
            .join(Section, Section.id == Proposal.section_id)
            .where(
                Proposal.policy_id == policy.id,
                Proposal.author_id == user_id,
                Proposal.status == ProposalStatus.APPLIED,
            )
            .order_by(Proposal.decided_at.desc(), Proposal.id.desc())
        )
    )
    decisions = list(
        db.execute(
            select(Vote, Ballot.choice, Section.title)
            .join(Ballot, Ballot.vote_id == Vote.id)
            .join(Section, Section.id == Vote.section_id)
            .where(
                Vote.policy_id == policy.id,
                Ballot.user_id == user_id,
                Vote.closed_at.is_not(None),
            )
            .order_by(Vote.closed_at.desc(), Vote.id.desc())
        )
    )
    return {
        "sentences": rows,
        "words": sum(r.my_words for r in rows),
        "total_words": sum(sum(p.credits.values()) for p in people.values()),
        "accepted": [
            {"id": p.id, "section": t, "text": p.text, "reason": p.reason, "kind": p.kind.value}
            for p, t in accepted
        ],
        "decisions": [
            {
                "vote_id": v.id,
                "subject": v.subject.value,
                "section": t,
                "outcome": v.outcome.value if v.outcome else None,
                "choice": c.value,
            }
            for v, c, t in decisions
        ],
    }
