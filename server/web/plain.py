"""Plain language on the pages: the summary on the policy page and in the session
pack, glossary terms for the templates, and dismissing a hint with a plain form
post (the form static/js/hints.js builds beside each hint; the script sends it
through the JSON API instead when it can).

The policy and section templates call the template globals below, so the plain
language parts stay in their own files (templates/policies/_plain_*.html) and the
views of those pages need not change. They only read.
"""

from __future__ import annotations

from flask import flash, redirect, url_for

from server import auth
from server.access import sentence_for_edit
from server.errors import DomainError, NotFound
from server.extensions import db_session
from server.glossary import services as glossary
from server.plain import rules
from server.plain import services as plain
from server.policies import services as policies
from server.policies.models import Policy
from server.web.blueprint import bp
from server.web.helpers import db, my_id


@bp.app_template_global("plain_policy")
def plain_policy(policy: Policy) -> plain.PolicyPlain:
    return plain.policy_plain(db_session(), policy)


@bp.app_template_global("glossary_terms")
def glossary_terms(group_id: int) -> dict[str, object]:
    """Accepted terms by lower-case key (for marking the text and the pack)."""
    return {t.term_key: t for t in glossary.accepted_terms(db_session(), group_id)}


@bp.app_template_global("plain_pack")
def plain_pack(group_id: int) -> list[dict]:
    """For the session pack: per policy of the group, the sections with sentences to
    look at, and the policy's summary."""
    out = []
    for policy in policies.policies_of(db_session(), group_id):
        found = plain.policy_plain(db_session(), policy)
        titles = {
            s.id: (number, s.title)
            for number, s in enumerate(
                (s for _p, secs in policies.policy_outline(db_session(), policy) for s in secs),
                start=1,
            )
        }
        sections = [
            {"number": titles[sid][0], "title": titles[sid][1], "flagged": summary.flagged}
            for sid, summary in found.sections.items()
            if summary.flagged and sid in titles
        ]
        sections.sort(key=lambda row: row["number"])  # in the policy's order
        out.append({"policy": policy, "plain": found, "sections": sections})
    return out


@bp.app_template_global("hint_labels")
def hint_labels() -> dict[str, str]:
    return dict(rules.LABELS)


@bp.post("/sentences/<int:sentence_id>/dismissed-hints/<code>")
def dismiss_hint(sentence_id: int, code: str):
    """Dismiss a hint for one sentence (members of the owning sub-group). The page's
    script does the same through the API without leaving the page."""
    sentence, section, _access = sentence_for_edit(db(), my_id(), sentence_id)
    if sentence.deleted_at is not None:
        raise NotFound("That sentence was not found.")
    try:
        plain.dismiss(db(), sentence, code, auth.me())
        flash("Hint dismissed for that sentence.", "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(
        url_for("web.section", section_id=section.id, _anchor=f"sentence-{sentence.id}")
    )
