"""Review pages, the shared part: the section margin and its fragments, vote panels,
and the labels that the comment, proposal and vote pages (comments.py, proposals.py,
votes.py) all use.

Every form posts and redirects (POST-redirect-GET) and works without JavaScript;
static/js/review.js swaps in fresh server-rendered fragments (the `*_fragment`
routes) when a `review` event says something changed. The fragments go through the
same checks as the pages, so nobody sees more than their rights allow (a secret
ballot stays secret).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import g, make_response, render_template, url_for

from server.access import Access, section_access
from server.errors import NotFound
from server.meetings import services as meetings
from server.meetings.models import Meeting
from server.permissions import Action, allows, in_subgroup
from server.policies.models import Section, SectionStatus, Sentence
from server.policies.services import sentences_of
from server.review import agreement, comments, proposals, votes
from server.review import rules as r
from server.review.comments import Thread
from server.review.models import (
    Outcome,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Vote,
    VoteSubject,
)
from server.web.blueprint import bp
from server.web.helpers import db, my_id
from server.web.review_forms import (
    CHOICES,
    COMMENT_HINT,
    VoteTimeForm,
    vote_time_form,
)
from server.web.times import for_input

PROPOSAL_STATUS = {
    ProposalStatus.OPEN: "Open for discussion",
    ProposalStatus.VOTING: "The group is voting",
    ProposalStatus.APPLIED: "Approved and now in the text",
    ProposalStatus.CONFLICT: "Approved, but it could not be added to the text",
    ProposalStatus.REJECTED: "Not approved",
    ProposalStatus.NOT_DECIDED: "Not decided: too few members voted",
    ProposalStatus.WITHDRAWN: "Withdrawn by the person who suggested it",
}
OUTCOMES = {
    Outcome.APPROVED: "Approved",
    Outcome.REJECTED: "Not approved",
    Outcome.NO_QUORUM: "Not decided: too few members voted",
}
CHOICE_LABELS = {"approve": "Approve", "reject": "Reject", "abstain": "Abstain"}
ACTIVE = (ProposalStatus.OPEN, ProposalStatus.VOTING)


@bp.app_template_filter("proposal_status")
def _proposal_status(value) -> str:
    return PROPOSAL_STATUS.get(value, str(value))


@bp.app_template_global("vote_choices")
def _vote_choices() -> list[tuple[str, str]]:
    return CHOICES


@bp.app_template_filter("choice_label")
def _choice_label(value) -> str:
    return CHOICE_LABELS.get(str(value), str(value))


def _fragment(template: str, **context):
    """A piece of a page for review.js to swap in; never cached."""
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    return response


def _numbers(live: list[Sentence]) -> dict[int, int]:
    return {s.id: i for i, s in enumerate(live, start=1)}


def proposal_title(p: Proposal) -> str:
    """What a suggestion does, in its own words (server/review/proposals.title)."""
    return proposals.title(p)


# --- vote panels ---------------------------------------------------------------------------


@dataclass
class Panel:
    """Everything the vote panel shows, as this member may see it."""

    vote: Vote
    rules_text: str
    tally: dict  # votes.tally_shown
    my_choice: str | None
    my_reason: str | None
    ballots: list | None  # None: a secret ballot
    can_close: bool
    next: str
    title: str
    link: str
    where: str  # the section's title
    outcome: str | None = None
    closing: bool = False  # due: the scheduled job is about to record its outcome
    reason: str | None = None  # an open suggestion's: what is voted on, with `changes`
    changes: list = field(default_factory=list)  # word-diff pieces, one list per change
    time_form: VoteTimeForm | None = None  # VoteTimeForm: more time, for a facilitator
    # The next session, when the vote closes before it (so it leaves that agenda).
    session_after: Meeting | None = None


def _next_session(group_id: int) -> Meeting | None:
    """The group's next planned session, looked up once per request: the Decisions
    pages show a panel for every open vote."""
    found = g.setdefault("codraft_next_session", {})
    if group_id not in found:
        found[group_id] = meetings.next_planned(db(), group_id)
    return found[group_id]


def vote_panel(
    vote: Vote,
    access: Access,
    next_url: str,
    *,
    with_change: bool = True,
    time_form: VoteTimeForm | None = None,
) -> Panel:
    """The panel of one vote. An open vote on a suggestion shows the change and its
    reason (`with_change`, but on the suggestion's own page, which shows them above):
    a member voting from the review page or the decisions page saw only a shortened
    title, and could not tell what they approved."""
    # Reading never closes a vote (server/jobs.py does): a due one shows as closing.
    closing = votes.is_due(db(), vote)
    tally = votes.current_tally(db(), vote)
    mine = votes.my_ballot(db(), vote, access.membership.user_id)
    ballots = votes.ballots_shown(db(), vote)
    reason, changes = None, []
    if vote.subject == VoteSubject.PROPOSAL:
        proposal = vote.proposal
        title = proposal_title(proposal)
        link = url_for("web.proposal", proposal_id=proposal.id)
        if with_change and vote.is_open and not closing:
            found, _stale = proposals.changes(db(), proposal)
            reason = proposal.reason
            changes = [[p.as_dict() for p in c.pieces] for c in found]
    else:
        title = f"Agree the section “{vote.section.title}”"
        link = url_for("web.section", section_id=vote.section_id, _anchor="decision")
    can_close = vote.is_open and not closing and access.membership.is_facilitator
    can_extend = can_close and vote.closes_at is not None
    session_after = None
    if vote.is_open and not closing and vote.closes_at is not None:
        upcoming = _next_session(access.group.id)
        if upcoming is not None and upcoming.starts_at > vote.closes_at:
            session_after = upcoming
    if can_extend and time_form is None:
        # Offered a week past the time it closes now, as the clock on the wall shows it.
        time_form = vote_time_form(
            vote.id, formdata=None, closes_at=for_input(vote.closes_at + timedelta(days=7))
        )
    return Panel(
        vote=vote,
        rules_text=r.explain(votes.rules_of(vote), tally.members),
        tally=votes.tally_shown(vote, tally),
        my_choice=mine.choice.value if mine else None,
        my_reason=mine.reason if mine else None,
        ballots=ballots,
        can_close=can_close,
        next=next_url,
        title=title,
        link=link,
        where=vote.section.title,
        outcome=OUTCOMES.get(vote.outcome) if vote.outcome else None,
        closing=closing,
        reason=reason,
        changes=changes,
        time_form=time_form if can_extend else None,
        session_after=session_after,
    )


# --- the section margin ----------------------------------------------------------------------


@dataclass
class Slot:
    """One sentence's place in the margin."""

    sentence: Sentence
    number: int
    threads: list[Thread] = field(default_factory=list)
    proposals: list = field(default_factory=list)  # (proposal, title, pieces)
    agreed_text: str | None = None  # changed since agreed: the agreed words
    added: bool = False  # not in the agreed version

    @property
    def open_threads(self) -> int:
        return sum(1 for t in self.threads if not t.resolved)

    @property
    def count_words(self) -> str:
        parts = []
        n = self.open_threads
        if n:
            parts.append(f"{n} comment{'' if n == 1 else 's'}")
        n = len(self.proposals)
        if n:
            parts.append(f"{n} suggestion{'' if n == 1 else 's'}")
        return ", ".join(parts)


def _sentence_of(thread: Thread) -> int | None:
    """The live sentence a thread sits beside: where its words are now (a split
    may have taken them into the new sentence), else the sentence it is about."""
    if thread.words is not None and not thread.words.gone:
        return thread.words.sentence_id
    return thread.anchor.id if thread.anchor is not None else None


def margin_context(section: Section, access: Access) -> dict:
    live = sentences_of(db(), [section.id])[section.id]
    numbers = _numbers(live)
    slots = {s.id: Slot(s, numbers[s.id]) for s in live}
    whole, removed = [], []
    for thread in comments.threads(db(), section.id):
        at = _sentence_of(thread)
        if thread.on_removed_text:
            removed.append(thread)
        elif at in slots:
            slots[at].threads.append(thread)
        else:
            whole.append(thread)
    whole_proposals, decided = [], []
    for p in proposals.proposals_of(db(), section.id):
        title = proposal_title(p)
        if p.status not in ACTIVE:
            decided.append((p, title))
            continue
        first = p.sentence_ids[0] if p.sentence_ids else None
        if p.kind != ProposalKind.REWRITE and first in slots:
            pieces = None
            if p.kind == ProposalKind.REPLACE:
                found, _stale = proposals.changes(db(), p)
                pieces = found[0].pieces if found else None
            slots[first].proposals.append((p, title, pieces))
        else:
            whole_proposals.append((p, title))
    since = agreement.since_agreed(db(), section, live)
    for sid, was in since.changed.items():
        if sid in slots:
            slots[sid].agreed_text = was
    for sid in since.added:
        if sid in slots:
            slots[sid].added = True
    for slot in slots.values():
        slot.proposals.reverse()  # oldest first, like the threads
    me = access.membership
    return {
        "section": section,
        "me": me,
        "slots": list(slots.values()),
        "whole_threads": whole,
        "removed_threads": removed,
        "whole_proposals": list(reversed(whole_proposals)),
        "decided": decided,
        "since": since if since.agreement is not None else None,
        "in_owner": in_subgroup(db(), me, section.subgroup_id),
        "comment_hint": COMMENT_HINT,
        "open_total": sum(s.open_threads for s in slots.values())
        + sum(1 for t in whole + removed if not t.resolved),
        "proposal_total": sum(len(s.proposals) for s in slots.values()) + len(whole_proposals),
    }


def decision_context(section: Section, access: Access, can_edit: bool) -> dict:
    """The section's agreement: the button to ask for it, the vote, the agreed version."""
    open_vote = votes.open_vote_on_section(db(), section.id)
    panel = None
    if open_vote is not None:
        next_url = url_for("web.section", section_id=section.id, _anchor="decision")
        panel = vote_panel(open_vote, access, next_url)
        if not panel.vote.is_open:  # it closed just now
            db().refresh(section)
            panel = None
    agreed = agreement.latest(db(), section.id)
    since = agreement.since_agreed(db(), section) if agreed is not None else None
    live = sentences_of(db(), [section.id])[section.id]
    return {
        "section": section,
        "agreement_panel": panel,
        "agreed": agreed,
        "since": since,
        "can_mark_ready": can_edit and panel is None and bool(live),
        "SectionStatus": SectionStatus,
    }


# --- fragments for review.js --------------------------------------------------------------------


@bp.get("/sections/<int:section_id>/margin")
def section_margin(section_id: int):
    found, access = section_access(db(), my_id(), section_id)
    return _fragment("review/_margin.html", mg=margin_context(found, access))


@bp.get("/sections/<int:section_id>/decision")
def section_decision(section_id: int):
    found, access = section_access(db(), my_id(), section_id)
    can_edit = allows(db(), access.membership, Action.EDIT_TEXT, found.subgroup_id)
    return _fragment("review/_section_decision.html", dc=decision_context(found, access, can_edit))


def live_sentence(section: Section, sentence_id) -> Sentence | None:
    try:
        sid = int(sentence_id)
    except (TypeError, ValueError):
        return None
    row = db().get(Sentence, sid)
    if row is None or row.section_id != section.id or row.deleted_at is not None:
        raise NotFound("That sentence was not found in this section.")
    return row
