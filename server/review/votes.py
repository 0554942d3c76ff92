"""Votes of the full group: open, cast, close, and what a closed vote does.

The counting is server/review/rules.py (pure); this module loads ballots and
members, keeps the record, and carries out the outcome: an approved proposal is
applied (server/review/applying.py), an agreed section gets its agreed version
(server/review/agreement.py).

A vote that is due closes in one scheduled job (`close_due`, run by server/jobs.py
every half minute) or on its own writes (the last ballot, a facilitator closing it).
Reading a vote never closes it: a read shows a due vote as `closing` instead, so a
page or API read can never rewrite policy text.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.db import utcnow
from server.errors import Conflict, InvalidInput, NotFound
from server.groups.models import Membership
from server.policies.models import Section
from server.review import agreement, deciding, rights
from server.review import rules as r
from server.review.changes import announce
from server.review.models import (
    Ballot,
    Choice,
    CloseMode,
    DecisionRules,
    Outcome,
    Proposal,
    ProposalStatus,
    Vote,
    VoteSubject,
    WordingDecider,
)
from server.text.clean import clean_block

MAX_REASON_CHARS = 2000

log = logging.getLogger(__name__)

# --- the group's rules ---------------------------------------------------------------------


def group_rules(db: Session, group_id: int) -> DecisionRules:
    """The group's rules; defaults (not yet stored) for a group that never set them."""
    row = db.get(DecisionRules, group_id)
    return (
        row
        if row is not None
        else DecisionRules(
            group_id=group_id,
            quorum_percent=50,
            threshold_percent=50,
            close_mode=CloseMode.DATE_OR_ALL_VOTED,
            vote_days=7,
            secret_ballot=False,
            wording_decided_by=WordingDecider.GROUP,
        )
    )


def set_group_rules(
    db: Session,
    group_id: int,
    by: User,
    *,
    quorum_percent: int,
    threshold_percent: int,
    close_mode: str,
    vote_days: int,
    secret_ballot: bool,
    wording_decided_by: str | None = None,
) -> DecisionRules:
    """Set the rules; `wording_decided_by` None keeps what the group had."""
    problems = {}
    for name, value, (low, high) in (
        ("quorum_percent", quorum_percent, r.QUORUM_RANGE),
        ("threshold_percent", threshold_percent, r.THRESHOLD_RANGE),
        ("vote_days", vote_days, r.VOTE_DAYS_RANGE),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            problems[name] = [f"A whole number from {low} to {high}."]
    try:
        mode = CloseMode(close_mode)
    except ValueError:
        problems["close_mode"] = ["Choose when votes close."]
    decider = None
    if wording_decided_by is not None:
        try:
            decider = WordingDecider(wording_decided_by)
        except ValueError:
            problems["wording_decided_by"] = ["group or subgroup."]
    if problems:
        raise InvalidInput("Some of the rules are not valid.", fields=problems)
    row = db.get(DecisionRules, group_id) or DecisionRules(group_id=group_id)
    row.quorum_percent, row.threshold_percent, row.close_mode = (
        quorum_percent,
        threshold_percent,
        mode,
    )
    row.vote_days, row.secret_ballot = vote_days, bool(secret_ballot)
    if decider is not None:
        row.wording_decided_by = decider
    elif row.wording_decided_by is None:
        row.wording_decided_by = WordingDecider.GROUP
    row.updated_by_id, row.updated_at = by.id, utcnow()
    db.add(row)
    db.flush()
    return row


def rules_of(vote: Vote) -> r.Rules:
    return r.Rules(
        vote.quorum_percent, vote.threshold_percent, CloseMode(vote.close_mode), vote.secret
    )


# --- opening ---------------------------------------------------------------------------------


def get_vote(db: Session, vote_id: int) -> Vote:
    row = db.get(Vote, vote_id)
    if row is None:
        raise NotFound("That vote was not found.")
    return row


def _open(
    db: Session,
    section: Section,
    group_id: int,
    by: User,
    subject: VoteSubject,
    *,
    proposal: Proposal | None = None,
    snapshot: list | None = None,
    closes_at: datetime | None = None,
) -> Vote:
    rules = group_rules(db, group_id)
    now = utcnow()
    if closes_at is None:
        closes_at = now + timedelta(days=rules.vote_days)
    elif closes_at <= now:
        raise InvalidInput(
            "The closing time must be in the future.", fields={"closes_at": ["In the future."]}
        )
    if rules.close_mode == CloseMode.ALL_VOTED:
        closes_at = None
    vote = Vote(
        group_id=group_id,
        policy_id=section.policy_id,
        section_id=section.id,
        subject=subject,
        proposal_id=proposal.id if proposal else None,
        snapshot=snapshot,
        quorum_percent=rules.quorum_percent,
        threshold_percent=rules.threshold_percent,
        close_mode=rules.close_mode,
        secret=rules.secret_ballot,
        opened_by_id=by.id,
        opened_at=now,
        closes_at=closes_at,
    )
    db.add(vote)
    db.flush()
    announce(db, section.policy_id, section.id, "vote", vote.id, "opened")
    return vote


def open_for_proposal(
    db: Session,
    proposal: Proposal,
    membership: Membership,
    by: User,
    closes_at: datetime | None = None,
) -> Vote:
    rights.require(
        rights.can_open_vote(membership, proposal),
        "Only the person who made this suggestion or a facilitator can ask the group to vote "
        "on it.",
    )
    if proposal.status != ProposalStatus.OPEN:
        raise Conflict(
            f"This suggestion is not open for a vote: it is {proposal.status.replace('_', ' ')}.",
            code="not_open",
        )
    if deciding.subgroup_decides(group_rules(db, membership.group_id), proposal):
        raise Conflict(
            "The sub-group that owns this section decides suggestions on wording: "
            "one of its members accepts or declines it.",
            code="subgroup_decides",
        )
    section = db.get(Section, proposal.section_id)
    proposal.status, proposal.updated_at = ProposalStatus.VOTING, utcnow()
    vote = _open(
        db,
        section,
        membership.group_id,
        by,
        VoteSubject.PROPOSAL,
        proposal=proposal,
        closes_at=closes_at,
    )
    announce(db, proposal.policy_id, proposal.section_id, "proposal", proposal.id, "voting")
    return vote


def open_for_agreement(
    db: Session, section: Section, group_id: int, by: User, closes_at: datetime | None = None
) -> Vote:
    """The owning sub-group marks its section ready: the group votes to agree this
    version of it (callers check the sub-group right)."""
    if open_vote_on_section(db, section.id) is not None:
        raise Conflict(
            "This section is already waiting for the group to agree it.", code="already_open"
        )
    snapshot = agreement.snapshot(db, section)
    if not snapshot:
        raise InvalidInput("Write some text before asking the group to agree it.", code="empty")
    agreement.mark_ready(db, section, by.id)
    return _open(
        db, section, group_id, by, VoteSubject.AGREEMENT, snapshot=snapshot, closes_at=closes_at
    )


def vote_on_proposal(db: Session, proposal_id: int) -> Vote | None:
    return db.scalar(select(Vote).where(Vote.proposal_id == proposal_id))


def open_vote_on_section(db: Session, section_id: int) -> Vote | None:
    return db.scalar(
        select(Vote).where(
            Vote.section_id == section_id,
            Vote.subject == VoteSubject.AGREEMENT,
            Vote.closed_at.is_(None),
        )
    )


# --- counting --------------------------------------------------------------------------------


def counted_ballots(db: Session, vote: Vote) -> list[Ballot]:
    """Ballots of people who are members now; a leaver's ballot is set aside."""
    return list(
        db.scalars(
            select(Ballot)
            .join(
                Membership,
                (Membership.user_id == Ballot.user_id) & (Membership.group_id == vote.group_id),
            )
            .where(Ballot.vote_id == vote.id)
            .order_by(Ballot.cast_at, Ballot.id)
        )
    )


def member_count(db: Session, group_id: int) -> int:
    return (
        db.scalar(
            select(func.count()).select_from(Membership).where(Membership.group_id == group_id)
        )
        or 0
    )


def current_tally(db: Session, vote: Vote) -> r.Tally:
    if vote.tally is not None:
        t = vote.tally
        return r.Tally(t["approve"], t["reject"], t["abstain"], t["members"])
    return r.count([b.choice for b in counted_ballots(db, vote)], member_count(db, vote.group_id))


def my_ballot(db: Session, vote: Vote, user_id: int) -> Ballot | None:
    return db.scalar(select(Ballot).where(Ballot.vote_id == vote.id, Ballot.user_id == user_id))


# --- voting and closing ---------------------------------------------------------------------


def cast(
    db: Session,
    vote: Vote,
    membership: Membership,
    choice: str,
    *,
    change: bool = True,
    now: datetime | None = None,
    reason: str | None = None,
) -> Ballot:
    """One member, one vote. With `change`, a member's vote replaces their earlier one
    while the vote is open; without it, a second vote is refused (a client that
    meant to cast a first vote learns it had already). An optional `reason` says
    why; None keeps the one given before."""
    try:
        choice_ = Choice(choice)
    except ValueError:
        raise InvalidInput(
            "Choose approve, reject or abstain.", fields={"choice": ["approve, reject or abstain."]}
        ) from None
    if reason is not None:
        reason = clean_block(reason).strip()
        if len(reason) > MAX_REASON_CHARS:
            raise InvalidInput(
                f"A reason can be up to {MAX_REASON_CHARS} characters.",
                fields={"reason": [f"Up to {MAX_REASON_CHARS} characters."]},
            )
    if not vote.is_open or not _hold_open(db, vote) or is_due(db, vote, now):
        # A due vote takes no more ballots; the scheduled job records its outcome.
        raise Conflict("This vote has closed.", code="vote_closed")
    now = now or utcnow()
    ballot = my_ballot(db, vote, membership.user_id)
    if ballot is not None and not change:
        raise Conflict(
            "You have voted already. You can change your vote until it closes.",
            code="already_voted",
        )
    if ballot is None:
        ballot = Ballot(
            vote_id=vote.id, user_id=membership.user_id, choice=choice_, cast_at=now, changed_at=now
        )
        db.add(ballot)
    else:
        ballot.choice, ballot.changed_at = choice_, now
    if reason is not None:
        ballot.reason = reason
    db.flush()
    announce(db, vote.policy_id, vote.section_id, "vote", vote.id, "voted")
    close_if_due(db, vote, now)  # the last member to vote may close it
    return ballot


def is_due(db: Session, vote: Vote, now: datetime | None = None) -> bool:
    """Whether the rules say this open vote is over (read only: nothing changes)."""
    return vote.is_open and r.due(
        now or utcnow(), vote.closes_at, CloseMode(vote.close_mode), current_tally(db, vote)
    )


def close_if_due(db: Session, vote: Vote, now: datetime | None = None) -> bool:
    """Close the vote if its rules say it is over. Only for writes: a ballot, the
    scheduled job. Returns whether it closed."""
    if is_due(db, vote, now):
        close(db, vote, None, now)
        return True
    return False


def close_due(db: Session, now: datetime) -> int:
    """The scheduled job (server/jobs.py): close every open vote whose rules say it
    is over (its time has passed, or everyone has voted, e.g. after a member left).
    Flushes; the runner commits. Returns how many closed."""
    candidates = db.scalars(
        select(Vote)
        .where(
            Vote.closed_at.is_(None),
            or_(Vote.closes_at <= now, Vote.close_mode != CloseMode.DATE),
        )
        .order_by(Vote.closes_at, Vote.id)
    )
    closed = 0
    for vote in list(candidates):
        if close_if_due(db, vote, now):
            closed += 1
    return closed


def close(db: Session, vote: Vote, by: User | None, now: datetime | None = None) -> Vote:
    """Count, record the outcome with its tally, and carry it out. `by` is the
    facilitator closing early, or None when the rules closed it."""
    now = now or utcnow()
    if not vote.is_open or not _claim(db, vote, now):
        raise Conflict("This vote has closed already.", code="vote_closed")
    tally = current_tally(db, vote)
    vote.outcome = r.outcome(tally, rules_of(vote))
    vote.tally = tally.as_dict()
    vote.closed_at, vote.closed_by_id = now, by.id if by else None
    db.flush()
    if vote.subject == VoteSubject.PROPOSAL:
        _decide_proposal(db, vote, by)
    else:
        agreement.decide(db, vote)
    announce(db, vote.policy_id, vote.section_id, "vote", vote.id, "closed")
    return vote


def extend(db: Session, vote: Vote, by: User, closes_at: datetime) -> Vote:
    """Give an open vote more time (facilitators), so members who have not voted yet
    can. Never less: ending a vote early is its own, visible act (`close`). A vote that
    closes only when every member has voted has no time to move, and one whose time
    is up is being counted: neither can be given more."""
    if vote.is_open and vote.closes_at is None:
        raise Conflict(
            "This vote closes when every member has voted: it has no closing time to change.",
            code="no_closing_time",
        )
    now = utcnow()
    if not vote.is_open or is_due(db, vote, now):
        raise Conflict("This vote has closed already.", code="vote_closed")
    if closes_at <= vote.closes_at:
        raise InvalidInput(
            "Choose a later time than when the vote closes now: a vote can be given more "
            "time, never less. To end it now, close it instead.",
            fields={"closes_at": ["Later than when it closes now."]},
        )
    # Only while it is still open and not yet due: the closing job may claim it
    # between the check above and this write (another process, or a crash between).
    moved = db.execute(
        update(Vote)
        .where(Vote.id == vote.id, Vote.closed_at.is_(None), Vote.closes_at > now)
        .values(closes_at=closes_at, extended_at=now, extended_by_id=by.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise Conflict("This vote has closed already.", code="vote_closed")
    db.expire(vote, ["closes_at", "extended_at", "extended_by_id", "closed_at"])
    announce(db, vote.policy_id, vote.section_id, "vote", vote.id, "extended")
    return vote


def _claim(db: Session, vote: Vote, now: datetime) -> bool:
    """Close the row only if it is still open, so two closers (a facilitator and the
    housekeeping of another process) cannot both carry out the outcome."""
    return (
        db.execute(
            update(Vote)
            .where(Vote.id == vote.id, Vote.closed_at.is_(None))
            .values(closed_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def _hold_open(db: Session, vote: Vote) -> bool:
    """Lock the open vote's row for this transaction (PostgreSQL: a ballot and a
    close wait for each other; SQLite: the write lock does it), so no ballot lands
    after the count."""
    return (
        db.execute(
            update(Vote)
            .where(Vote.id == vote.id, Vote.closed_at.is_(None))
            .values(id=Vote.id)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def _decide_proposal(db: Session, vote: Vote, by: User | None) -> None:
    proposal = db.get(Proposal, vote.proposal_id)
    deciding.carry_out(
        db,
        proposal,
        vote.outcome == Outcome.APPROVED,
        by,
        vote.closed_at,
        declined=ProposalStatus.REJECTED
        if vote.outcome == Outcome.REJECTED
        else ProposalStatus.NOT_DECIDED,
    )


def votes_of(db: Session, policy_id: int, *, open_only: bool = False) -> list[Vote]:
    query = select(Vote).where(Vote.policy_id == policy_id)
    if open_only:
        query = query.where(Vote.closed_at.is_(None))
    return list(db.scalars(query.order_by(Vote.closed_at.is_not(None), Vote.opened_at.desc())))


def tally_shown(vote: Vote, tally: r.Tally) -> dict:
    """What anyone may see of the count: the one recorded with the outcome once it
    is decided; while a secret ballot is open, only how many have voted (with few
    votes in, running counts would tell how someone voted)."""
    if vote.tally is not None:
        return vote.tally
    if vote.secret:
        return {"cast": tally.cast, "members": tally.members}
    return tally.as_dict()


def ballots_shown(db: Session, vote: Vote) -> list[Ballot] | None:
    """Who voted how, or None for a secret ballot: no page or API gets it then."""
    return None if vote.secret else counted_ballots(db, vote)
