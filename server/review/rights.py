"""Who may do what in review, on top of server.permissions.

Every member of the group comments, proposes and votes, with one equal voice. The
rest follows who is responsible for what: you change your own comments and
proposals; a thread is resolved by whoever started it, the sub-group that owns
the section, or a facilitator; the owning sub-group says when its section is
ready for the group to agree; a facilitator may close a vote early and sets the
group's decision rules.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.errors import PermissionDenied
from server.groups.models import Membership
from server.permissions import in_subgroup
from server.review.models import Comment, Proposal


def can_change_comment(membership: Membership, comment: Comment) -> bool:
    return comment.author_id == membership.user_id


def can_remove_comment(membership: Membership, comment: Comment) -> bool:
    return comment.author_id == membership.user_id or membership.is_facilitator


def can_resolve(
    db: Session, membership: Membership, thread: Comment, owner_subgroup_id: int
) -> bool:
    return (
        thread.author_id == membership.user_id
        or membership.is_facilitator
        or in_subgroup(db, membership, owner_subgroup_id)
    )


def can_change_proposal(membership: Membership, proposal: Proposal) -> bool:
    return proposal.author_id == membership.user_id


def can_open_vote(membership: Membership, proposal: Proposal) -> bool:
    return proposal.author_id == membership.user_id or membership.is_facilitator


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)
