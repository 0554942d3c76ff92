"""Who decides a suggestion, and carrying out the decision.

The group's decision rules (DecisionRules.wording_decided_by) say who decides a
suggestion on wording, that is a `replace` of one sentence's words: the whole
group by vote (the default), or the sub-group that owns the section, where any
one of its members accepts or declines it. Every other suggestion, and agreeing
a section, stays a vote of the whole group (server/review/votes.py).

Either way the outcome is carried out here, once: an accepted suggestion is
applied through the live-editing engine (server/review/applying.py), or marked
as a conflict when the text moved too far; the change is announced, which
tells connected browsers and the author (server/notifications/rules.py).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.accounts.models import User
from server.db import utcnow
from server.errors import Conflict
from server.groups.models import Membership
from server.permissions import in_subgroup
from server.policies.models import Section
from server.review import applying, rights
from server.review.changes import announce
from server.review.models import (
    DecisionRules,
    Proposal,
    ProposalDecision,
    ProposalKind,
    ProposalStatus,
    WordingDecider,
)

SUBGROUP_DECIDES = (ProposalKind.REPLACE,)  # "suggestions on wording"


def subgroup_decides(rules: DecisionRules, proposal: Proposal) -> bool:
    """Whether the owning sub-group, not a vote, decides this suggestion."""
    return (
        WordingDecider(rules.wording_decided_by or WordingDecider.GROUP) == WordingDecider.SUBGROUP
        and ProposalKind(proposal.kind) in SUBGROUP_DECIDES
    )


def who_decides(db: Session, rules: DecisionRules, proposal: Proposal) -> WordingDecider:
    """Who decides (or decided) this suggestion: a suggestion already put to a vote
    stays the group's, whatever the rules say now."""
    if decision_of(db, proposal.id) is not None:
        return WordingDecider.SUBGROUP
    if proposal.status == ProposalStatus.OPEN and subgroup_decides(rules, proposal):
        return WordingDecider.SUBGROUP
    return WordingDecider.GROUP


def can_decide(
    db: Session, rules: DecisionRules, membership: Membership, proposal: Proposal, section: Section
) -> bool:
    """For pages: whether this member may accept or decline it now."""
    return (
        proposal.status == ProposalStatus.OPEN
        and subgroup_decides(rules, proposal)
        and in_subgroup(db, membership, section.subgroup_id)
    )


def decide(
    db: Session,
    rules: DecisionRules,
    proposal: Proposal,
    membership: Membership,
    by: User,
    *,
    accept: bool,
) -> Proposal:
    """A member of the owning sub-group accepts or declines an open suggestion."""
    section = db.get(Section, proposal.section_id)
    if not subgroup_decides(rules, proposal):
        raise Conflict(
            "The whole group decides this suggestion by vote. Ask the group to vote on it.",
            code="vote_needed",
        )
    rights.require(
        in_subgroup(db, membership, section.subgroup_id),
        "Only members of the sub-group that owns this section can accept or decline "
        "this suggestion.",
    )
    if proposal.status != ProposalStatus.OPEN:
        raise Conflict(
            f"This suggestion is not open: it is {proposal.status.replace('_', ' ')}.",
            code="not_open",
        )
    now = utcnow()
    db.add(
        ProposalDecision(
            proposal_id=proposal.id,
            subgroup_id=section.subgroup_id,
            decided_by_id=by.id,
            accepted=accept,
            decided_at=now,
        )
    )
    carry_out(db, proposal, accept, by, now, declined=ProposalStatus.REJECTED)
    return proposal


def carry_out(
    db: Session,
    proposal: Proposal,
    approved: bool,
    by: User | None,
    when,
    *,
    declined: ProposalStatus,
) -> None:
    """Apply an approved suggestion (or mark it a conflict), or record `declined`;
    then announce its new status."""
    proposal.decided_at = when
    if approved:
        plan = applying.plan(db, proposal)
        if plan.conflict is not None:
            proposal.status, proposal.conflict = ProposalStatus.CONFLICT, plan.conflict
        else:
            applying.execute(db, proposal, plan, by)
            proposal.status = ProposalStatus.APPLIED
    else:
        proposal.status = declined
    db.flush()
    announce(
        db, proposal.policy_id, proposal.section_id, "proposal", proposal.id, proposal.status.value
    )


def decision_of(db: Session, proposal_id: int) -> ProposalDecision | None:
    return db.get(ProposalDecision, proposal_id)
