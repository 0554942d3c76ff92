"""Pages for suggested changes (proposals): suggest one, read it as a word
diff against today's text, change or withdraw your own while it is open, and
ask the group to vote on it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for

from server import access_of, auth
from server.access import Access, section_access
from server.errors import Conflict, DomainError
from server.permissions import in_subgroup
from server.policies.models import Section, Sentence
from server.policies.services import sentences_of
from server.review import comments, deciding, proposals, rights, votes
from server.review.models import (
    Proposal,
    ProposalKind,
    ProposalStatus,
    WordingDecider,
)
from server.web.blueprint import bp
from server.web.helpers import attach, db, my_id
from server.web.review import (
    ACTIVE,
    _fragment,
    _numbers,
    live_sentence,
    proposal_title,
    vote_panel,
)
from server.web.review_forms import (
    COMMENT_HINT,
    EditProposalForm,
    ProposalForm,
)

# --- proposals -------------------------------------------------------------------------------

KINDS = [
    ProposalKind.REPLACE.value,
    ProposalKind.INSERT.value,
    ProposalKind.DELETE.value,
    ProposalKind.REWRITE.value,
]


def _proposal_page(
    form,
    section,
    access,
    kind: str,
    sentence: Sentence | None,
    live: list[Sentence],
    checked: set[int],
    status: int = 200,
):
    return render_template(
        "review/proposal_new.html",
        form=form,
        section=section,
        part=section.part,
        policy=section.part.policy,
        group=access.group,
        kind=kind,
        sentence=sentence,
        live=live,
        numbers=_numbers(live),
        checked=checked,
    ), status


@dataclass
class _NewProposal:
    """The "suggest a change" form as the person sees it: which kind, about which
    sentence, the sentences offered, and which are ticked. The page only gathers
    the input; server.review.proposals says what is wrong with it."""

    form: ProposalForm
    kind: str
    sentence: Sentence | None
    live: list[Sentence]
    checked: set[int]

    @classmethod
    def read(cls, section: Section) -> _NewProposal:
        """From the link that opened the form (GET) or the form sent (POST)."""
        live = sentences_of(db(), [section.id])[section.id]
        form = ProposalForm()
        form.after.choices = [("start", "At the start")] + [
            (str(s.id), f"After sentence {i}: {s.text[:60]}{'…' if len(s.text) > 60 else ''}")
            for i, s in enumerate(live, start=1)
        ]
        sent = form.is_submitted()
        kind = (form.kind.data if sent else request.args.get("kind")) or ""
        chosen = form.sentence_id.data if sent else request.args.get("sentence")
        sentence = live_sentence(section, chosen) if chosen else None
        if kind not in KINDS:
            kind = ProposalKind.REPLACE.value if sentence else ProposalKind.REWRITE.value
        if kind == ProposalKind.REPLACE.value and sentence is None:
            if live:
                sentence = live[0]
            else:
                kind = ProposalKind.INSERT.value
        checked = {sentence.id} if sentence else set()
        if sent:
            checked = {int(i) for i in request.form.getlist("sentence_ids") if i.isdigit()}
        return cls(form, kind, sentence, live, checked)

    def prefill(self, source: Proposal | None) -> None:
        """A new form: the words to start from (a proposal tried before, or today's)."""
        form, kind, sentence = self.form, self.kind, self.sentence
        form.kind.data = kind
        form.sentence_id.data = str(sentence.id) if sentence else ""
        last = str(self.live[-1].id) if self.live else "start"
        form.after.data = str(sentence.id) if sentence else last
        if kind == ProposalKind.REPLACE.value:
            form.text.data = source.text if source else sentence.text
        elif kind == ProposalKind.REWRITE.value:
            form.text.data = source.text if source else "\n".join(s.text for s in self.live)
        elif kind == ProposalKind.INSERT.value and source:
            form.text.data = source.text
        if source:
            form.reason.data = source.reason

    def valid(self) -> bool:
        """The form's own checks (lengths, a place from the list for an insert)."""
        if self.kind != ProposalKind.INSERT.value:
            self.form.after.data = ""  # only an insert says where
            self.form.after.choices = [("", "")]
        return self.form.validate()

    def sentence_ids(self) -> list[int]:
        """The sentences the service is given, as the kind reads them."""
        if self.kind == ProposalKind.INSERT.value:
            after = self.form.after.data
            return [] if after == "start" else [int(after)]
        if self.kind == ProposalKind.DELETE.value:
            return [s.id for s in self.live if s.id in self.checked]
        if self.kind == ProposalKind.REPLACE.value and self.sentence:
            return [self.sentence.id]
        return []

    def page(self, section: Section, access: Access, status: int = 200):
        return _proposal_page(
            self.form,
            section,
            access,
            self.kind,
            self.sentence,
            self.live,
            self.checked,
            status=status,
        )


@bp.route("/sections/<int:section_id>/proposals/new", methods=["GET", "POST"])
def new_proposal(section_id: int):
    """Suggest a change. The kind comes from the link used (or the form's hidden
    field), so the words offered for editing always match what will change."""
    found, access = section_access(db(), my_id(), section_id)
    draft = _NewProposal.read(found)
    if not draft.form.is_submitted():
        draft.prefill(_from_proposal(found))
        return draft.page(found, access)
    if not draft.valid():
        return draft.page(found, access, 422)
    try:
        p = proposals.create(
            db(),
            found,
            access.membership,
            kind=draft.kind,
            reason=draft.form.reason.data,
            text=draft.form.text.data,
            sentence_ids=draft.sentence_ids(),
        )
    except DomainError as exc:
        attach(draft.form, exc)
        return draft.page(found, access, exc.status)
    flash(
        "Your suggestion is saved. Everyone in the group can read and discuss it now. "
        "When you are ready, ask the group to vote on it.",
        "success",
    )
    return redirect(url_for("web.proposal", proposal_id=p.id))


def _from_proposal(section: Section) -> Proposal | None:
    """A proposal to start from (a new try after a conflict), if the link names one."""
    pid = request.args.get("from", "")
    if not pid.isdigit():
        return None
    row = db().get(Proposal, int(pid))
    return row if row is not None and row.section_id == section.id else None


def _proposal_access(proposal_id: int):
    return access_of.suggestion(db(), my_id(), proposal_id)


def proposal_context(p: Proposal, section: Section, access: Access) -> dict:
    live = sentences_of(db(), [section.id])[section.id]
    numbers = _numbers(live)
    vote = votes.vote_on_proposal(db(), p.id)
    panel = None
    if vote is not None:
        here = url_for("web.proposal", proposal_id=p.id, _anchor="vote")
        panel = vote_panel(vote, access, here, with_change=False)
        db().refresh(p)
    me = access.membership
    rules = votes.group_rules(db(), me.group_id)
    status = ProposalStatus(p.status)
    found, stale = proposals.changes(db(), p)  # decided: as suggested, not against today
    again = None
    if status == ProposalStatus.CONFLICT:
        first = p.sentence_ids[0] if p.sentence_ids else None
        kind = p.kind
        if kind == ProposalKind.REPLACE and first not in numbers:
            kind = ProposalKind.INSERT
        args = {"kind": kind.value, "from": p.id}
        if first in numbers:
            args["sentence"] = first
        again = url_for("web.new_proposal", section_id=section.id, **args)
    return {
        "proposal": p,
        "section": section,
        "title": proposal_title(p),
        "changes": found,
        "stale": stale and status in ACTIVE,
        "numbers": numbers,
        "texts": {s.id: s.text for s in live},
        "panel": panel,
        "me": me,
        "again": again,
        "threads": comments.threads(db(), section.id, proposal_id=p.id),
        "in_owner": in_subgroup(db(), me, section.subgroup_id),
        "can_change": rights.can_change_proposal(me, p) and status == ProposalStatus.OPEN,
        "can_open_vote": rights.can_open_vote(me, p)
        and status == ProposalStatus.OPEN
        and not deciding.subgroup_decides(rules, p),
        "subgroup_decides": deciding.who_decides(db(), rules, p) == WordingDecider.SUBGROUP,
        "can_decide": deciding.can_decide(db(), rules, me, p, section),
        "decision": deciding.decision_of(db(), p.id),
        "comment_hint": COMMENT_HINT,
    }


@bp.get("/proposals/<int:proposal_id>")
def proposal(proposal_id: int):
    p, found, access = _proposal_access(proposal_id)
    return render_template(
        "review/proposal.html",
        part=found.part,
        policy=found.part.policy,
        group=access.group,
        **proposal_context(p, found, access),
    )


@bp.get("/proposals/<int:proposal_id>/live")
def proposal_live(proposal_id: int):
    p, found, access = _proposal_access(proposal_id)
    return _fragment("review/_proposal_live.html", **proposal_context(p, found, access))


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
def edit_proposal(proposal_id: int):
    p, found, access = _proposal_access(proposal_id)
    rights.require(
        rights.can_change_proposal(access.membership, p),
        "Only the person who made this suggestion can change it.",
    )
    if p.status != ProposalStatus.OPEN:
        raise Conflict(
            "Voting on this suggestion has started, so it can no longer be changed.",
            code="voting_started",
        )
    form = EditProposalForm(data={"text": p.text, "reason": p.reason})
    context = {
        "proposal": p,
        "section": found,
        "part": found.part,
        "policy": found.part.policy,
        "group": access.group,
        "title": proposal_title(p),
    }
    template = "review/proposal_edit.html"
    if not form.is_submitted():
        return render_template(template, form=form, **context)
    ok = form.validate()
    if p.kind != ProposalKind.DELETE and not form.text.data:
        form.text.errors = [*form.text.errors, "Write the words you suggest."]
        ok = False
    if not ok:
        return render_template(template, form=form, **context), 422
    try:
        proposals.update(
            db(),
            p,
            access.membership,
            reason=form.reason.data,
            text=None if p.kind == ProposalKind.DELETE else form.text.data,
        )
    except DomainError as exc:
        attach(form, exc)
        return render_template(template, form=form, **context), exc.status
    flash("Your suggestion is changed.", "success")
    return redirect(url_for("web.proposal", proposal_id=p.id))


@bp.post("/proposals/<int:proposal_id>/withdraw")
def withdraw_proposal(proposal_id: int):
    p, _found, access = _proposal_access(proposal_id)
    proposals.withdraw(db(), p, access.membership)
    flash("Your suggestion is withdrawn. It stays here for the record.", "success")
    return redirect(url_for("web.proposal", proposal_id=p.id))


@bp.post("/proposals/<int:proposal_id>/vote")
def open_proposal_vote(proposal_id: int):
    p, _found, access = _proposal_access(proposal_id)
    votes.open_for_proposal(db(), p, access.membership, auth.me())
    flash("The group can vote on this suggestion now.", "success")
    return redirect(url_for("web.proposal", proposal_id=p.id, _anchor="vote"))
