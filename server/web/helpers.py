"""Small tools the page views share: the database session, who is signed in,
safe redirects, one-time secrets, and turning domain errors into form errors."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import make_response, render_template
from wtforms.form import BaseForm

from server.auth import me
from server.errors import DomainError
from server.extensions import db_session as db  # noqa: F401  (views import it from here)
from server.policies.models import SectionKind, SectionStatus
from server.web.blueprint import bp

STATUS_LABELS = {
    SectionStatus.DRAFTING: "Drafting",
    SectionStatus.READY_FOR_REVIEW: "Ready for review",
    SectionStatus.AGREED: "Agreed",
}
KIND_LABELS = {SectionKind.TEXT: "Text", SectionKind.FAQ: "Question and answer"}


def my_id() -> int:
    """The signed-in user's id; signed out, a GET goes to the sign-in page."""
    return me().id


def safe_next(target: str | None) -> str | None:
    """Return `target` only if it is a path on this site, so a link cannot send
    someone elsewhere after they sign in."""
    if not target:
        return None
    if any(c.isspace() or ord(c) < 32 or c == "\\" for c in target):
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# --- secrets shown once --------------------------------------------------------------


def shown_once(template: str, status: int = 200, **context):
    """Render the page that shows a new link or token, in the reply to the POST that
    made it. The secret is never stored anywhere it could be read later: not in the
    session cookie (signed, not encrypted: anyone holding it can read it), not in the
    database (which keeps only hashes), and not in the browser's cache."""
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- forms and domain errors -----------------------------------------------------------


def attach(form, exc: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Put a service's error on the form: next to the field it names when the form
    has that field, otherwise at the top of the form."""
    aliases = aliases or {}
    placed = False
    names = list((exc.fields or {}).keys())
    for name in names:
        field = getattr(form, aliases.get(name, name), None)
        if field is None or not hasattr(field, "errors"):
            continue
        field.errors = [*field.errors, exc.message if len(names) == 1 else exc.fields[name][0]]
        placed = True
    if not placed or len(names) > 1:
        form.form_errors.append(exc.message)


def form_failed(template: str, form, exc: DomainError, aliases: dict | None = None, **context):
    """Re-render a form page after a service refused, with the right 4xx status."""
    attach(form, exc, aliases)
    return render_template(template, form=form, **context), exc.status


def invalid(template: str, form, **context):
    """Re-render a form whose own checks failed."""
    return render_template(template, form=form, **context), 422


# --- template helpers ------------------------------------------------------------------


@bp.app_template_filter("status_label")
def _status_label(value) -> str:
    return STATUS_LABELS.get(value, str(value))


@bp.app_template_global("has_errors")
def _has_errors(*things) -> bool:
    """True when any of these forms has an error, or any of these is a message."""
    for thing in things:
        if isinstance(thing, BaseForm) and (thing.errors or thing.form_errors):
            return True
        if isinstance(thing, str) and thing:
            return True
    return False


def member_names(group_id: int) -> dict[int, str]:
    """The group's members' names by user id: who wrote or changed something, named
    on a page (the glossary's authors, the live editor's notices)."""
    from server.history.services import members_of

    return {u.id: u.display_name for u in members_of(db(), group_id)}
