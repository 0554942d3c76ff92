"""Who hears of what: one rule per kind, from the domain events review and
sessions already publish (server/review/changes.py, server/meetings/changes.py).

Each function turns one event into notices and the people each is meant for;
`services.tell` then keeps only group members and never tells the person who
caused it. Every member may read everything in their group
(server/permissions.py), so membership is the whole read check.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.db import utcnow
from server.groups.models import Membership, Subgroup, SubgroupMember
from server.meetings.changes import ActionGiven, DatesAsked, SessionChanged
from server.meetings.models import ActionItem, DatePoll, Meeting
from server.notifications.services import Notice
from server.policies.models import Policy, Section
from server.review.changes import ReviewChanged
from server.review.models import (
    Ballot,
    Comment,
    Mention,
    Outcome,
    Proposal,
    ProposalDecision,
    ProposalStatus,
    Vote,
    VoteSubject,
)
from server.text.dates import day_in_words
from server.text.shorten import shorten

Recipients = list[tuple[Notice, Iterable[int]]]
RECENT = timedelta(minutes=10)  # a thread's comments looked at for one "added" event
SETTLING = timedelta(hours=1)  # after planning a session, its changes are not told again
WHAT_CHARS = 120  # of an action's words in its notification


def mentioned(db: Session, comment_id: int) -> list[int]:
    """The members a comment mentions. The one place that reads mentions, so how
    they are resolved (server/review, server/text) can change under it."""
    return list(db.scalars(select(Mention.user_id).where(Mention.comment_id == comment_id)))


def group_members(db: Session, group_id: int) -> list[int]:
    return list(db.scalars(select(Membership.user_id).where(Membership.group_id == group_id)))


def _group_of_policy(db: Session, policy_id: int) -> int | None:
    return db.scalar(select(Policy.group_id).where(Policy.id == policy_id))


def _name(db: Session, user_id: int | None) -> str:
    name = db.scalar(select(User.display_name).where(User.id == user_id)) if user_id else None
    return name or "Someone"


def _section_title(db: Session, section_id: int) -> str:
    return db.scalar(select(Section.title).where(Section.id == section_id)) or "a section"


def _comment_link(c: Comment) -> str:
    if c.proposal_id:
        return f"/proposals/{c.proposal_id}#comment-{c.id}"
    return f"/sections/{c.section_id}#comment-{c.id}"


# --- review -------------------------------------------------------------------------------


def from_review(db: Session, evt: ReviewChanged) -> Recipients:
    group_id = _group_of_policy(db, evt.policy_id)
    if group_id is None:
        return []
    if evt.kind == "comment" and evt.action in ("added", "edited"):
        return _comments(db, group_id, evt.id)
    if evt.kind == "proposal" and evt.action == "added":
        return _suggestion(db, group_id, evt.id)
    if evt.kind == "proposal" and evt.action in (
        ProposalStatus.APPLIED,
        ProposalStatus.CONFLICT,
        ProposalStatus.REJECTED,
        ProposalStatus.NOT_DECIDED,
    ):
        return _suggestion_decided(db, group_id, evt.id)
    if evt.kind == "vote" and evt.action == "opened":
        return _vote_opened(db, group_id, evt.id)
    if evt.kind == "vote" and evt.action == "closed":
        return _vote_result(db, group_id, evt.id)
    return []


def _comments(db: Session, group_id: int, thread_id: int) -> Recipients:
    """An "added" or "edited" event names the thread; look at its recent comments
    (keys make a comment already told about a no-op): mentions first, then replies."""
    root = db.get(Comment, thread_id)
    if root is None:
        return []
    thread = list(
        db.scalars(
            select(Comment)
            .where((Comment.id == root.id) | (Comment.thread_id == root.id))
            .order_by(Comment.id)
        )
    )
    newest = max((c.edited_at or c.created_at) for c in thread)
    out: Recipients = []
    for c in thread:
        if c.deleted_at is not None or (c.edited_at or c.created_at) < newest - RECENT:
            continue
        who = _name(db, c.author_id)
        where = _section_title(db, c.section_id)
        tagged = set(mentioned(db, c.id))
        out.append(
            (
                Notice(
                    "mention",
                    f"mention:{c.id}",
                    group_id,
                    _comment_link(c),
                    f"{who} mentioned you in a comment on “{where}”.",
                    c.author_id,
                ),
                tagged,
            )
        )
        if c.thread_id is not None:
            earlier = {x.author_id for x in thread if x.id < c.id and x.deleted_at is None}
            out.append(
                (
                    Notice(
                        "reply",
                        f"reply:{c.id}",
                        group_id,
                        _comment_link(c),
                        f"{who} replied in a discussion you are in, on “{where}”.",
                        c.author_id,
                    ),
                    earlier - tagged,
                )
            )
    return out


def _suggestion(db: Session, group_id: int, proposal_id: int) -> Recipients:
    proposal = db.get(Proposal, proposal_id)
    section = db.get(Section, proposal.section_id) if proposal else None
    if section is None:
        return []
    owners = db.scalars(
        select(Membership.user_id)
        .join(SubgroupMember, SubgroupMember.membership_id == Membership.id)
        .where(SubgroupMember.subgroup_id == section.subgroup_id)
    )
    notice = Notice(
        "suggestion",
        f"suggestion:{proposal.id}",
        group_id,
        f"/proposals/{proposal.id}",
        f"{_name(db, proposal.author_id)} suggested a change to “{section.title}”, "
        "a section your sub-group looks after.",
        proposal.author_id,
    )
    return [(notice, list(owners))]


_DECIDED = {
    ProposalStatus.APPLIED: "was accepted and is now in the text",
    ProposalStatus.CONFLICT: "was accepted, but the text has changed too much to put it in "
    "by itself; someone needs to make the change by hand",
    ProposalStatus.REJECTED: "was turned down by the group's vote",
    ProposalStatus.NOT_DECIDED: "was not decided: not enough people voted",
}


_BY_SUBGROUP = {
    ProposalStatus.APPLIED: "was accepted by {who} for the sub-group “{subgroup}” and is now "
    "in the text",
    ProposalStatus.CONFLICT: "was accepted by {who} for the sub-group “{subgroup}”, but the "
    "text has changed too much to put it in by itself; someone needs to make the change by hand",
    ProposalStatus.REJECTED: "was declined by {who} for the sub-group “{subgroup}”",
}


def _subgroup_name(db: Session, subgroup_id: int | None) -> str:
    name = (
        db.scalar(select(Subgroup.name).where(Subgroup.id == subgroup_id)) if subgroup_id else None
    )
    return name or "that looks after the section"


def _suggestion_decided(db: Session, group_id: int, proposal_id: int) -> Recipients:
    proposal = db.get(Proposal, proposal_id)
    if proposal is None or proposal.author_id is None:
        return []
    status = ProposalStatus(proposal.status)
    outcome = _DECIDED[status]
    decision = db.get(ProposalDecision, proposal.id)
    if decision is not None:  # the owning sub-group decided, without a vote
        outcome = _BY_SUBGROUP[status].format(
            who=_name(db, decision.decided_by_id), subgroup=_subgroup_name(db, decision.subgroup_id)
        )
    notice = Notice(
        "suggestion_decided",
        f"suggestion_decided:{proposal.id}",
        group_id,
        f"/proposals/{proposal.id}",
        f"Your suggestion on “{_section_title(db, proposal.section_id)}” {outcome}.",
        None,  # the group decided; the author still wants to hear
    )
    return [(notice, [proposal.author_id])]


def _vote_opened(db: Session, group_id: int, vote_id: int) -> Recipients:
    vote = db.get(Vote, vote_id)
    if vote is None:
        return []
    title = _section_title(db, vote.section_id)
    if vote.subject == VoteSubject.AGREEMENT:
        notice = Notice(
            "section_ready",
            f"section_ready:{vote.id}",
            group_id,
            f"/votes/{vote.id}",
            f"“{title}” is ready for the group to agree. You can vote on it now.",
            vote.opened_by_id,
        )
    else:
        notice = Notice(
            "vote_opened",
            f"vote_opened:{vote.id}",
            group_id,
            f"/votes/{vote.id}",
            f"A vote has opened on a suggestion for “{title}”.",
            vote.opened_by_id,
        )
    return [(notice, group_members(db, group_id))]


_RESULTS = {
    Outcome.APPROVED: "the group agreed",
    Outcome.REJECTED: "the group said no",
    Outcome.NO_QUORUM: "not enough people voted, so nothing was decided",
}


def _vote_result(db: Session, group_id: int, vote_id: int) -> Recipients:
    vote = db.get(Vote, vote_id)
    if vote is None or vote.outcome is None:
        return []
    what = "agreeing" if vote.subject == VoteSubject.AGREEMENT else "a suggestion for"
    notice = Notice(
        "vote_result",
        f"vote_result:{vote.id}",
        group_id,
        f"/votes/{vote.id}",
        f"The vote on {what} “{_section_title(db, vote.section_id)}” has closed: "
        f"{_RESULTS[Outcome(vote.outcome)]}.",
        vote.closed_by_id,
    )
    return [(notice, group_members(db, group_id))]


# --- sessions -----------------------------------------------------------------------------


def when(moment: datetime, time_zone: str) -> str:
    local = moment.astimezone(ZoneInfo(time_zone))
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def from_session(db: Session, evt: SessionChanged, time_zone: str) -> Recipients:
    if evt.action == "closed":
        return _closed(db, evt.id)
    if evt.action == "cancelled":
        return _cancelled(db, evt, time_zone)
    if evt.action not in ("planned", "edited", "agenda"):
        return []
    meeting = db.get(Meeting, evt.id)
    if meeting is None or meeting.state != "planned":
        return []
    if evt.action != "planned" and utcnow() - meeting.created_at < SETTLING:
        return []  # just planned: that notice links to the session as it is now
    from server.notifications.counts import changed_counts  # the review's logic, per member

    members = group_members(db, meeting.group_id)
    counts = changed_counts(db, meeting.group_id, members)
    verb = {"planned": "was planned", "edited": "has changed", "agenda": "has changed"}
    base = (
        f"The session “{meeting.title}” on {when(meeting.starts_at, time_zone)} {verb[evt.action]}."
    )
    texts = {
        uid: f"{base} Review what changed: {n} {'thing' if n == 1 else 'things'} since the "
        "last session."
        for uid, n in counts.items()
    }
    # Changes to a planned session (its details or its agenda) tell again, at most
    # once an hour: planning one used to send three notices in a minute.
    stamp = int(datetime.now().timestamp()) // 3600 if evt.action != "planned" else 0
    what = "planned" if evt.action == "planned" else "changed"
    notice = Notice(
        "session",
        f"session:{meeting.id}:{what}:{stamp}",
        meeting.group_id,
        f"/sessions/{meeting.id}",
        base,
        meeting.created_by_id if evt.action == "planned" else None,
        texts,
    )
    return [(notice, members)]


def _closed(db: Session, meeting_id: int) -> Recipients:
    """A session closed: its record (decisions, and who will do what) is there to
    read. Those who were not there learn of it only so."""
    meeting = db.get(Meeting, meeting_id)
    if meeting is None or meeting.closed_at is None:
        return []
    notice = Notice(
        "session",
        f"session:{meeting.id}:closed",
        meeting.group_id,
        f"/sessions/{meeting.id}#record",
        f"The session “{meeting.title}” has closed. See what was decided, the notes and "
        "who will do what.",
        meeting.closed_by_id,
    )
    return [(notice, group_members(db, meeting.group_id))]


def _cancelled(db: Session, evt: SessionChanged, time_zone: str) -> Recipients:
    """A planned session will not happen: the group is told, in the words they knew it
    by (the session itself is gone)."""
    starts = datetime.fromisoformat(evt.starts_at) if evt.starts_at else None
    on = f" on {when(starts, time_zone)}" if starts else ""
    notice = Notice(
        "session",
        f"session:{evt.id}:cancelled",
        evt.group_id,
        f"/groups/{evt.group_id}/sessions",
        f"The session “{evt.title}”{on} is cancelled.",
        evt.actor_id,
    )
    return [(notice, group_members(db, evt.group_id))]


def from_action_given(db: Session, evt: ActionGiven) -> Recipients:
    """The member an action is given to: it is theirs to do."""
    action = db.get(ActionItem, evt.id)
    if action is None or action.assignee_id is None or action.done_at is not None:
        return []
    title = db.scalar(select(Meeting.title).where(Meeting.id == action.meeting_id))
    by = f" by {day_in_words(action.due_on)}" if action.due_on else ""
    notice = Notice(
        "action",
        f"action:{action.id}",
        action.group_id,
        f"/sessions/{action.meeting_id}#action-{action.id}",
        f"You have an action from the session “{title}”: {shorten(action.what, WHAT_CHARS)}{by}.",
        evt.actor_id,
    )
    return [(notice, [action.assignee_id])]


def from_dates_asked(db: Session, evt: DatesAsked) -> Recipients:
    poll = db.get(DatePoll, evt.id)
    if poll is None or poll.closed_at is not None:
        return []
    n = len(poll.options)
    notice = Notice(
        "date_poll",
        f"date_poll:{poll.id}",
        poll.group_id,
        f"/date-polls/{poll.id}",
        (
            f"A date for the next session: say whether it suits you for “{poll.title}”."
            if n == 1
            else f"Pick dates for the next session: say which of {n} dates suit you for "
            f"“{poll.title}”."
        ),
        evt.actor_id,
    )
    return [(notice, group_members(db, poll.group_id))]


def votes_not_cast(db: Session, group_id: int, user_ids: list[int]) -> dict[int, list[Vote]]:
    """Open votes of the group each member has not voted in."""
    open_votes = list(
        db.scalars(
            select(Vote)
            .where(Vote.group_id == group_id, Vote.closed_at.is_(None))
            .order_by(Vote.id)
        )
    )
    cast: set[tuple[int, int]] = set()
    if open_votes:
        cast = set(
            db.execute(
                select(Ballot.vote_id, Ballot.user_id).where(
                    Ballot.vote_id.in_([v.id for v in open_votes])
                )
            ).all()
        )
    return {uid: [v for v in open_votes if (v.id, uid) not in cast] for uid in user_ids}
