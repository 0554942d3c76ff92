"""How much is waiting in each section: open discussions and open suggestions,
counted for many sections in two queries (the policy page shows them per section)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.history.models import Revision
from server.policies.models import Policy
from server.review.models import Ballot, Comment, Proposal, ProposalStatus, Vote

OPEN_SUGGESTIONS = (ProposalStatus.OPEN, ProposalStatus.VOTING)


@dataclass(frozen=True)
class Waiting:
    discussions: int = 0  # threads on the section or its sentences, not resolved
    suggestions: int = 0  # open or being voted on


def waiting(db: Session, section_ids: list[int]) -> dict[int, Waiting]:
    if not section_ids:
        return {}
    threads = dict(
        db.execute(
            select(Comment.section_id, func.count())
            .where(
                Comment.section_id.in_(section_ids),
                Comment.thread_id.is_(None),
                Comment.proposal_id.is_(None),
                Comment.deleted_at.is_(None),
                Comment.resolved_at.is_(None),
            )
            .group_by(Comment.section_id)
        ).all()
    )
    suggestions = dict(
        db.execute(
            select(Proposal.section_id, func.count())
            .where(Proposal.section_id.in_(section_ids), Proposal.status.in_(OPEN_SUGGESTIONS))
            .group_by(Proposal.section_id)
        ).all()
    )
    return {sid: Waiting(threads.get(sid, 0), suggestions.get(sid, 0)) for sid in section_ids}


def has_taken_part(db: Session, user_id: int, group_id: int) -> bool:
    """Whether this member has commented, suggested, voted or changed the text in the
    group yet: until then the group's page says where to start. Writing counts as
    much as commenting: a sub-group member who drafts its section has found their
    way. (A change to the text is a revision, found through its author index.)"""
    in_group = select(Policy.id).where(Policy.group_id == group_id)
    for query in (
        select(Revision.id).where(Revision.policy_id.in_(in_group), Revision.author_id == user_id),
        select(Comment.id).where(Comment.author_id == user_id, Comment.policy_id.in_(in_group)),
        select(Proposal.id).where(Proposal.author_id == user_id, Proposal.policy_id.in_(in_group)),
        select(Ballot.id)
        .join(Vote, Vote.id == Ballot.vote_id)
        .where(Ballot.user_id == user_id, Vote.group_id == group_id),
    ):
        if db.scalar(query.limit(1)) is not None:
            return True
    return False
