"""Pages for policies: create one, read it part by part, add parts and sections,
and read a section sentence by sentence."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for

from server import auth
from server.access import Access, group_access, part_access, policy_access, section_access
from server.errors import DomainError
from server.permissions import Action, allows
from server.policies import services as policies
from server.policies.models import Part, Policy
from server.policies.services import MAX_SENTENCE_CHARS
from server.review import counts as review_counts
from server.web.blueprint import bp
from server.web.forms import AddTextForm, PartForm, PolicyForm, SectionForm
from server.web.helpers import attach, db, form_failed, invalid, member_names, my_id
from server.web.review import decision_context, margin_context
from server.web.text_marks import text_marks

# --- a new policy ------------------------------------------------------------------------


@bp.route("/groups/<int:group_id>/policies/new", methods=["GET", "POST"])
def new_policy(group_id: int):
    access = group_access(db(), my_id(), group_id, Action.MANAGE)
    form = PolicyForm()
    context = {"group": access.group}
    template = "policies/new_policy.html"
    if not form.is_submitted():
        return render_template(template, form=form, **context)
    if not form.validate():
        return invalid(template, form, **context)
    try:
        policy = policies.create_policy(
            db(),
            access.group,
            auth.me(),
            form.title.data,
            form.summary.data or "",
            form.part_list(),
        )
    except DomainError as exc:
        return form_failed(template, form, exc, **context)
    flash(f"Policy {policy.title} created. Add sections to its parts next.", "success")
    return redirect(url_for("web.policy", policy_id=policy.id))


# --- reading a policy ----------------------------------------------------------------------


def _policy_page(
    policy: Policy, access: Access, part_form: PartForm | None = None, status: int = 200
):
    outline = policies.policy_outline(db(), policy)
    ids = [s.id for _p, sections in outline for s in sections]
    sentences = policies.sentences_of(db(), ids)
    return render_template(
        "policies/policy.html",
        policy=policy,
        group=access.group,
        outline=outline,
        sentences=sentences,
        waiting=review_counts.waiting(db(), ids),
        can_manage=allows(db(), access.membership, Action.MANAGE),
        form=part_form or PartForm(formdata=None),
    ), status


@bp.get("/policies/<int:policy_id>")
def policy(policy_id: int):
    found, access = policy_access(db(), my_id(), policy_id)
    return _policy_page(found, access)


@bp.post("/policies/<int:policy_id>/parts")
def add_part(policy_id: int):
    found, access = policy_access(db(), my_id(), policy_id, Action.MANAGE)
    form = PartForm()
    if not form.validate():
        return _policy_page(found, access, form, 422)
    try:
        part = policies.create_part(db(), found, form.title.data, by=auth.me())
    except DomainError as exc:
        attach(form, exc)
        return _policy_page(found, access, form, exc.status)
    flash(f"Part {part.title} added.", "success")
    return redirect(url_for("web.policy", policy_id=policy_id, _anchor=f"part-{part.id}"))


# --- sections --------------------------------------------------------------------------------


def _owner_choices(access: Access) -> list[tuple[str, str]]:
    return [(str(sub.id), sub.name) for sub in access.group.subgroups]


@bp.route("/parts/<int:part_id>/sections/new", methods=["GET", "POST"])
def new_section(part_id: int):
    part, access = part_access(db(), my_id(), part_id, Action.MANAGE)
    form = SectionForm()
    form.subgroup_id.choices = _owner_choices(access)
    if not form.is_submitted() and part.is_faq:
        form.kind.data = "faq"  # an FAQ part's new section is a question
    context = {"part": part, "policy": part.policy, "group": access.group}
    template = "policies/new_section.html"
    if not form.is_submitted():
        return render_template(template, form=form, **context)
    if not form.validate():
        return invalid(template, form, **context)
    try:
        section = policies.create_section(
            db(),
            part,
            auth.me(),
            title=form.title.data,
            kind=form.kind.data,
            subgroup_id=int(form.subgroup_id.data),
            text=form.text.data or "",
        )
    except DomainError as exc:
        return form_failed(template, form, exc, **context)
    count = len(section.sentences)
    flash(
        f"Section created with {count} sentence{'' if count == 1 else 's'}. "
        "Check below that the text was split where you expect.",
        "success",
    )
    return redirect(url_for("web.section", section_id=section.id))


def _section_page(section, access: Access, form: AddTextForm | None = None, status: int = 200):
    part: Part = section.part
    can_edit = allows(db(), access.membership, Action.EDIT_TEXT, section.subgroup_id)
    # The review margin and the agreement box (server/web/review.py); their own
    # routes serve the same pieces to static/js/review.js when something changes.
    decision = decision_context(section, access, can_edit)  # may close a due vote first
    margin = margin_context(section, access)
    review = {"decision": decision, "margin": margin}
    me = auth.me()
    # Marks in the text (server/web/text_marks.py): the margin's threads say which words.
    beside = [t for slot in margin["slots"] for t in slot.threads]
    marks = text_marks(section, me.suggestions_inline, threads=beside)
    return render_template(
        "policies/section.html",
        section=section,
        part=part,
        policy=part.policy,
        group=access.group,
        sentences=section.sentences,
        marks=marks,
        owner=section.subgroup,
        can_edit=can_edit,
        max_sentence_chars=MAX_SENTENCE_CHARS,
        review=review,
        inline_on=me.suggestions_inline,
        names=member_names(access.group.id),  # the live editor names who changed what
        form=form or AddTextForm(formdata=None),
    ), status


@bp.get("/sections/<int:section_id>")
def section(section_id: int):
    found, access = section_access(db(), my_id(), section_id)
    return _section_page(found, access)


@bp.post("/sections/<int:section_id>/text")
def add_text(section_id: int):
    found, access = section_access(db(), my_id(), section_id, Action.EDIT_TEXT)
    form = AddTextForm()
    if not form.validate():
        return _section_page(found, access, form, 422)
    try:
        added = policies.add_text(db(), found, auth.me(), form.text.data)
    except DomainError as exc:
        attach(form, exc)
        return _section_page(found, access, form, exc.status)
    count = len(added)
    flash(f"Added {count} sentence{'' if count == 1 else 's'} at the end.", "success")
    return redirect(
        url_for("web.section", section_id=section_id, _anchor=f"sentence-{added[0].id}")
    )
