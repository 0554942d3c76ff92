"""Pages for deciding: the vote on a suggestion or a section, casting and
changing a vote, closing early (facilitators), marking a section ready for
the group to agree, the Decisions list, and the group's decision rules."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for

from server import access_of, auth
from server.access import Access, group_access, policy_access, section_access
from server.errors import DomainError
from server.meetings import agenda
from server.permissions import Action, allows
from server.policies.services import policies_of
from server.review import deciding, proposals, votes
from server.review import rules as r
from server.review.models import Proposal, ProposalStatus, WordingDecider
from server.review.proposals import title as proposal_title
from server.web.blueprint import bp
from server.web.helpers import attach, db, my_id, safe_next
from server.web.review import (
    CHOICE_LABELS,
    OUTCOMES,
    _fragment,
    vote_panel,
)
from server.web.review_forms import (
    BallotForm,
    RulesForm,
    vote_time_form,
)
from server.web.times import from_local, when

# --- votes -----------------------------------------------------------------------------------


def _vote_access(vote_id: int, action: Action = Action.VIEW):
    return access_of.vote(db(), my_id(), vote_id, action)


def _vote_page(
    vote, found, access, form=None, status: int = 200, next_url: str = "", time_form=None
):
    panel = vote_panel(
        vote, access, next_url or url_for("web.vote", vote_id=vote.id), time_form=time_form
    )
    return render_template(
        "review/vote.html",
        panel=panel,
        section=found,
        part=found.part,
        policy=found.part.policy,
        group=access.group,
        form=form,
        time_form=time_form,
    ), status


@bp.get("/votes/<int:vote_id>")
def vote(vote_id: int):
    found_vote, found, access = _vote_access(vote_id)
    return _vote_page(found_vote, found, access)


@bp.get("/votes/<int:vote_id>/panel")
def vote_panel_fragment(vote_id: int):
    found_vote, _found, access = _vote_access(vote_id)
    next_url = safe_next(request.args.get("next")) or url_for("web.vote", vote_id=vote_id)
    return _fragment("review/_vote_panel.html", panel=vote_panel(found_vote, access, next_url))


@bp.post("/votes/<int:vote_id>/ballot")
def cast_ballot(vote_id: int):
    found_vote, found, access = _vote_access(vote_id)
    form = BallotForm()
    next_url = safe_next(form.next.data) or url_for("web.vote", vote_id=vote_id)
    if not form.validate():
        return _vote_page(found_vote, found, access, form, 422, next_url)
    had = votes.my_ballot(db(), found_vote, access.membership.user_id) is not None
    try:
        votes.cast(
            db(), found_vote, access.membership, form.choice.data, reason=form.reason.data or ""
        )
    except DomainError as exc:
        attach(form, exc)
        return _vote_page(found_vote, found, access, form, exc.status, next_url)
    label = CHOICE_LABELS[form.choice.data].lower()
    if found_vote.is_open:
        flash(
            f"Your vote is {'changed' if had else 'counted'}: {label}. You can change it "
            "until the vote closes.",
            "success",
        )
    else:
        flash(
            f"Your vote is counted: {label}. That was the last vote needed, so the vote "
            f"has closed: {OUTCOMES[found_vote.outcome].lower()}.",
            "success",
        )
    return redirect(next_url)


@bp.post("/votes/<int:vote_id>/close")
def close_vote(vote_id: int):
    found_vote, _found, _access = _vote_access(vote_id, Action.MANAGE)
    votes.close(db(), found_vote, auth.me())
    flash(f"The vote is closed: {OUTCOMES[found_vote.outcome].lower()}.", "success")
    next_url = safe_next(request.form.get("next")) or url_for("web.vote", vote_id=vote_id)
    return redirect(next_url)


@bp.post("/votes/<int:vote_id>/more-time")
def extend_vote(vote_id: int):
    found_vote, found, access = _vote_access(vote_id, Action.MANAGE)
    form = vote_time_form(vote_id)
    next_url = safe_next(form.next.data) or url_for("web.vote", vote_id=vote_id)
    if not form.validate():
        return _vote_page(found_vote, found, access, None, 422, next_url, form)
    try:
        votes.extend(db(), found_vote, auth.me(), from_local(form.closes_at.data))
    except DomainError as exc:
        attach(form, exc)
        return _vote_page(found_vote, found, access, None, exc.status, next_url, form)
    title = agenda.title_for(db(), found_vote, found)
    flash(f"{title}: the vote now closes on {when(found_vote.closes_at)}.", "success")
    return redirect(next_url)


@bp.post("/sections/<int:section_id>/ready")
def mark_ready(section_id: int):
    found, access = section_access(db(), my_id(), section_id, Action.EDIT_TEXT)
    votes.open_for_agreement(db(), found, access.membership.group_id, auth.me())
    flash("The section is marked ready. The whole group can now vote to agree it.", "success")
    return redirect(url_for("web.section", section_id=section_id, _anchor="decision"))


@bp.post("/proposals/<int:proposal_id>/accept")
def accept_proposal(proposal_id: int):
    return _decide(proposal_id, accept=True)


@bp.post("/proposals/<int:proposal_id>/decline")
def decline_proposal(proposal_id: int):
    return _decide(proposal_id, accept=False)


def _decide(proposal_id: int, *, accept: bool):
    """A member of the owning sub-group decides a suggestion on wording, when the
    group's rules give those to the sub-group (server/review/deciding.py)."""
    p, _found, access = access_of.suggestion(db(), my_id(), proposal_id)
    rules = votes.group_rules(db(), access.membership.group_id)
    deciding.decide(db(), rules, p, access.membership, auth.me(), accept=accept)
    if not accept:
        flash("You declined this suggestion for your sub-group. Its author is told.", "success")
    elif p.status == ProposalStatus.APPLIED:
        flash("You accepted this suggestion. Its words are in the text now.", "success")
    else:
        flash(
            "You accepted this suggestion, but the same words have changed since, so it "
            "could not be put in the text. Both texts are below.",
            "warning",
        )
    return redirect(url_for("web.proposal", proposal_id=p.id))


@dataclass(frozen=True)
class Waiting:
    """A suggestion still being discussed: not yet put to a vote nor decided."""

    proposal: Proposal
    title: str
    section: str
    subgroup_decides: bool  # the owning sub-group decides it, not a vote


def decisions_context(policy, access: Access) -> dict:
    next_url = url_for("web.decisions", policy_id=policy.id)
    panels = [vote_panel(v, access, next_url) for v in votes.votes_of(db(), policy.id)]
    rules = votes.group_rules(db(), access.group.id)
    waiting = [
        Waiting(
            p,
            proposal_title(p),
            p.section.title,
            deciding.who_decides(db(), rules, p) == WordingDecider.SUBGROUP,
        )
        for p in proposals.proposals_of_policy(db(), policy.id, ProposalStatus.OPEN)
    ]
    return {
        "policy": policy,
        "open_panels": [p for p in panels if p.vote.is_open],
        "closed_panels": [p for p in panels if not p.vote.is_open],
        "waiting": waiting,
    }


@bp.get("/policies/<int:policy_id>/decisions")
def decisions(policy_id: int):
    policy, access = policy_access(db(), my_id(), policy_id)
    return render_template(
        "review/decisions.html", group=access.group, **decisions_context(policy, access)
    )


@bp.get("/groups/<int:group_id>/decisions")
def group_decisions(group_id: int):
    """The Decisions tab of the group: each policy's open votes, with a link to all."""
    access = group_access(db(), my_id(), group_id)
    return render_template(
        "review/group_decisions.html",
        group=access.group,
        policies=[decisions_context(p, access) for p in policies_of(db(), group_id)],
    )


@bp.get("/policies/<int:policy_id>/decisions/live")
def decisions_live(policy_id: int):
    policy, access = policy_access(db(), my_id(), policy_id)
    return _fragment("review/_decisions_live.html", **decisions_context(policy, access))


# --- the group's decision rules -------------------------------------------------------------------


def _rules_page(access: Access, form: RulesForm | None = None, status: int = 200):
    row = votes.group_rules(db(), access.group.id)
    can_manage = allows(db(), access.membership, Action.MANAGE)
    if form is None:
        form = RulesForm(
            formdata=None,
            data={
                "quorum_percent": row.quorum_percent,
                "threshold_percent": row.threshold_percent,
                "close_mode": row.close_mode.value if row.close_mode else "date_or_all_voted",
                "vote_days": row.vote_days,
                "secret": "yes" if row.secret_ballot else "no",
                "wording": (row.wording_decided_by or WordingDecider.GROUP).value,
            },
        )
    rules = r.Rules(
        row.quorum_percent, row.threshold_percent, row.close_mode, bool(row.secret_ballot)
    )
    members = votes.member_count(db(), access.group.id)
    return render_template(
        "review/rules.html",
        group=access.group,
        form=form,
        row=row,
        can_manage=can_manage,
        explain=r.explain(rules, members),
        members=members,
    ), status


@bp.route("/groups/<int:group_id>/decision-rules", methods=["GET", "POST"])
def decision_rules(group_id: int):
    if request.method == "GET":
        return _rules_page(group_access(db(), my_id(), group_id))
    access = group_access(db(), my_id(), group_id, Action.MANAGE)
    form = RulesForm()
    if not form.validate():
        return _rules_page(access, form, 422)
    try:
        votes.set_group_rules(
            db(),
            group_id,
            auth.me(),
            quorum_percent=form.quorum_percent.data,
            threshold_percent=form.threshold_percent.data,
            close_mode=form.close_mode.data,
            vote_days=form.vote_days.data,
            secret_ballot=form.secret.data == "yes",
            wording_decided_by=form.wording.data,
        )
    except DomainError as exc:
        attach(form, exc)
        return _rules_page(access, form, exc.status)
    flash(
        "The decision rules are saved. Votes opened from now on use them; votes "
        "already open keep the rules they started with.",
        "success",
    )
    return redirect(url_for("web.decision_rules", group_id=group_id))
