"""Pages for the group's glossary: read it, suggest a term, and (facilitators) accept,
change or remove terms and adopt Codraft's starter list. Also the template helper
that marks glossary terms in a sentence (its macro: templates/policies/_plain_macros.html)."""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, url_for
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from server import access_of, auth
from server.access import group_access
from server.errors import DomainError
from server.glossary import marking
from server.glossary import services as glossary
from server.glossary.models import TERM_CHARS, TermStatus
from server.permissions import Action, allows
from server.plain import services as plain
from server.policies import services as policies
from server.web.blueprint import bp
from server.web.forms import Form
from server.web.helpers import attach, db, member_names, my_id


class TermForm(Form):
    """Only the shape here; the glossary service checks emptiness, length and duplicates
    so the page and the API say the same thing."""

    term = StringField(
        "Term",
        # Generous, as in the API schema: the service's limit (TERM_CHARS) is the rule.
        validators=[Length(max=10 * TERM_CHARS)],
        description=f"A word or short phrase, up to {TERM_CHARS} characters.",
    )
    explanation = TextAreaField("What it means, in plain words", validators=[Length(max=10000)])


def undefined_terms(group_id: int) -> list[str]:
    """Jargon and short forms used in the group's policies that the glossary does not
    explain yet (each once, in the order first met)."""
    seen: dict[str, str] = {}
    for policy in policies.policies_of(db(), group_id):
        for item in plain.policy_items(db(), policy):
            for hint in item.check.hints:
                for term in hint.terms:
                    seen.setdefault(term.lower(), term)
    return sorted(seen.values(), key=str.lower)


def _page(group_id: int, form: TermForm | None = None, status: int = 200):
    access = group_access(db(), my_id(), group_id)
    can_manage = allows(db(), access.membership, Action.MANAGE)
    terms = glossary.terms_of(db(), group_id)
    return render_template(
        "glossary/glossary.html",
        group=access.group,
        accepted=[t for t in terms if t.status == TermStatus.ACCEPTED],
        suggested=[t for t in terms if t.status == TermStatus.SUGGESTED],
        undefined=undefined_terms(group_id),
        changes=glossary.history(db(), group_id, limit=50),
        can_manage=can_manage,
        starter_count=len(glossary.starter_terms()),
        form=form or TermForm(formdata=None),
        names=member_names(group_id),
    ), status


@bp.get("/groups/<int:group_id>/glossary")
def glossary_page(group_id: int):
    return _page(group_id)


@bp.post("/groups/<int:group_id>/glossary")
def add_term(group_id: int):
    access = group_access(db(), my_id(), group_id)
    form = TermForm()
    if not form.validate():
        return _page(group_id, form, 422)
    facilitator = access.membership.is_facilitator
    try:
        row = glossary.suggest(
            db(), group_id, auth.me(), form.term.data, form.explanation.data, accept=facilitator
        )
    except DomainError as exc:
        attach(form, exc)
        return _page(group_id, form, exc.status)
    if facilitator:
        flash(f"“{row.term}” is in the glossary now.", "success")
    else:
        flash(f"Thank you. “{row.term}” is suggested: a facilitator will look at it.", "success")
    return redirect(url_for("web.glossary_page", group_id=group_id))


def _managed(term_id: int):
    return access_of.glossary_term(db(), my_id(), term_id, Action.MANAGE)


@bp.route("/glossary/<int:term_id>/edit", methods=["GET", "POST"])
def edit_term(term_id: int):
    row, access = _managed(term_id)
    form = TermForm(obj=row) if not TermForm().is_submitted() else TermForm()
    context = {"group": access.group, "row": row}
    if not form.is_submitted():
        return render_template("glossary/edit.html", form=form, **context)
    status = 422
    if form.validate():
        try:
            glossary.change(db(), row, auth.me(), form.term.data, form.explanation.data)
        except DomainError as exc:
            attach(form, exc)
            status = exc.status
        else:
            flash(f"“{row.term}” changed.", "success")
            return redirect(url_for("web.glossary_page", group_id=row.group_id))
    return render_template("glossary/edit.html", form=form, **context), status


@bp.post("/glossary/<int:term_id>/accept")
def accept_term(term_id: int):
    row, _access = _managed(term_id)
    try:
        glossary.accept(db(), row, auth.me())
        flash(f"“{row.term}” is in the glossary now.", "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("web.glossary_page", group_id=row.group_id))


@bp.post("/glossary/<int:term_id>/remove")
def remove_term(term_id: int):
    row, _access = _managed(term_id)
    group_id, term = row.group_id, row.term
    if row.status == TermStatus.SUGGESTED:
        glossary.reject(db(), row, auth.me())
        flash(f"The suggestion “{term}” was turned down.", "success")
    else:
        glossary.remove(db(), row, auth.me())
        flash(f"“{term}” was removed from the glossary.", "success")
    return redirect(url_for("web.glossary_page", group_id=group_id))


@bp.post("/groups/<int:group_id>/glossary/starter")
def adopt_starter(group_id: int):
    group_access(db(), my_id(), group_id, Action.MANAGE)
    added = glossary.adopt_starter(db(), group_id, auth.me())
    if added:
        flash(f"{added} terms added from the starter list. Change any of them.", "success")
    else:
        flash("The glossary already has every term of the starter list.", "info")
    return redirect(url_for("web.glossary_page", group_id=group_id))


@bp.app_template_global("glossary_marks")
def glossary_marks(text: str, terms) -> list[tuple[str, str | None, str, str]]:
    """(piece, term key or None, before, after) for a sentence; `terms`: the accepted
    terms by key. A marked term takes the characters that touch it from its
    neighbours, as `before` ("(", a quote mark) and `after` (")", ".", ",", "'s"),
    so the page can keep them on its line: the term is a button, and a browser may
    start a new line right after one, leaving a lone ")" or "." at its start."""
    runs = [[piece, key, "", ""] for piece, key in marking.segments(text, frozenset(terms))]
    for i, run in enumerate(runs):
        if run[1] is None:
            continue
        if i > 0 and runs[i - 1][1] is None:
            plain = runs[i - 1][0]
            touching = _TOUCHING_END.search(plain)
            runs[i - 1][0], run[2] = plain[: touching.start()], touching.group()
        if i + 1 < len(runs) and runs[i + 1][1] is None:
            plain = runs[i + 1][0]
            touching = _TOUCHING_START.match(plain)
            run[3], runs[i + 1][0] = touching.group(), plain[touching.end() :]
    return [tuple(run) for run in runs if run[0]]


_TOUCHING_END = re.compile(r"\S*\Z")
_TOUCHING_START = re.compile(r"\S*")
