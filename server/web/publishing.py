"""Pages for publishing: "Publish and export" for a policy (releases, the public
page switch, downloads), a release with what changed since the one before, the
public page itself (no sign-in), and the account's credit setting lives in
server/web/accounts.py beside the other account settings."""

from __future__ import annotations

import time
from threading import Lock

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from server import auth, events
from server.access import policy_access
from server.api.publishing import export_response, render_file
from server.errors import DomainError, InvalidInput, NotFound
from server.exports.policy import LABELS, MEDIA_TYPES
from server.exports.policy.html import css, render_html
from server.history import services as history
from server.offload import TooSlow
from server.permissions import Action, allows
from server.policies.models import Policy
from server.publishing import services as publishing
from server.publishing.build import still_agreeing
from server.publishing.document import Document
from server.publishing.services import FORMATS, MAX_NOTE, Source
from server.text.dates import day_in_words
from server.web.blueprint import bp
from server.web.forms import Form, MenuChoice
from server.web.helpers import attach, db, my_id


class PublishForm(Form):
    note = TextAreaField(
        "A note for readers (optional)",
        validators=[Length(max=MAX_NOTE, message=f"Use at most {MAX_NOTE} characters.")],
    )
    source = MenuChoice("What to publish", message="Choose what to publish.")
    # Published versions never change: one click used to publish, with no word of it.
    sure = BooleanField(
        "I understand that a published version can never be changed",
        validators=[DataRequired("Tick the box to say you understand it cannot be changed.")],
    )


def _sources(checkpoints) -> list[tuple[str, str]]:
    """What may be published: the policy as it is, or one of its checkpoints."""
    return [("now", "The policy as it is now")] + [
        (str(c.id), f"Checkpoint “{c.name}” ({day_in_words(c.created_at)})") for c in checkpoints
    ]


class PublicForm(Form):
    public = BooleanField("Anyone with the link can read the published versions")


# --- the page -------------------------------------------------------------------------------


def _page(policy, access, form: PublishForm | None = None, status: int = 200):
    checkpoints = history.checkpoints_of(db(), policy.id)
    form = form or PublishForm(formdata=None)
    form.source.choices = _sources(checkpoints)
    releases = publishing.releases_of(db(), policy.id)
    page = publishing.public_page_of(db(), policy.id)
    return render_template(
        "publishing/publish.html",
        policy=policy,
        group=access.group,
        releases=releases,
        checkpoints=checkpoints,
        form=form,
        public=page is not None and page.is_public,
        public_link=(
            url_for("web.public_latest", slug=page.slug, _external=True)
            if page is not None and page.is_public
            else None
        ),
        can_manage=allows(db(), access.membership, Action.MANAGE),
        formats=[(f, LABELS[f]) for f in FORMATS],
        not_agreed=publishing.sections_not_agreed(db(), policy.id),
    ), status


@bp.get("/policies/<int:policy_id>/publish")
def publish_page(policy_id: int):
    policy, access = policy_access(db(), my_id(), policy_id)
    return _page(policy, access)


@bp.post("/policies/<int:policy_id>/releases")
def publish_release(policy_id: int):
    policy, access = policy_access(db(), my_id(), policy_id, Action.MANAGE)
    form = PublishForm()
    form.source.choices = _sources(history.checkpoints_of(db(), policy.id))
    if not form.validate():
        return _page(policy, access, form, 422)
    source = form.source.data
    try:
        release = publishing.publish(
            db(),
            policy,
            auth.me(),
            form.note.data or "",
            None if source == "now" else int(source),
        )
    except DomainError as exc:
        attach(form, exc)
        return _page(policy, access, form, exc.status)
    flash(
        f"Published as version {release.number}. It will not change when the policy is edited.",
        "success",
    )
    return redirect(url_for("web.release_page", policy_id=policy.id, number=release.number))


@bp.post("/policies/<int:policy_id>/public")
def set_public_page(policy_id: int):
    policy, access = policy_access(db(), my_id(), policy_id, Action.MANAGE)
    public = request.form.get("public") == "on"
    try:
        publishing.set_public(db(), policy, auth.me(), public)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("web.publish_page", policy_id=policy.id))
    flash(
        "The published versions can now be read by anyone with the link."
        if public
        else "The public page is hidden. Its link now says the policy is no longer published.",
        "success",
    )
    return redirect(url_for("web.publish_page", policy_id=policy.id, _anchor="public"))


@bp.get("/policies/<int:policy_id>/releases/<int:number>")
def release_page(policy_id: int, number: int):
    policy, access = policy_access(db(), my_id(), policy_id)
    release = publishing.get_release(db(), policy.id, number)
    page = publishing.public_page_of(db(), policy.id)
    return render_template(
        "publishing/release.html",
        public_link=(
            url_for("web.public_release", slug=page.slug, number=number)
            if page is not None and page.is_public
            else None
        ),
        policy=policy,
        group=access.group,
        release=release,
        doc=publishing.release_document(db(), release),
        changes=release.changes,
        formats=[(f, LABELS[f]) for f in FORMATS],
    )


def _number(raw: str | None, name: str) -> int | None:
    if raw in (None, ""):
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise InvalidInput(f"{raw!r} is not a {name} number.", fields={name: ["Not a number."]})
    return int(raw)


@bp.get("/policies/<int:policy_id>/export")
def export_policy(policy_id: int):
    policy, _access = policy_access(db(), my_id(), policy_id)
    fmt = publishing.check_format(request.args.get("format"))
    source = Source(
        _number(request.args.get("release"), "release"),
        _number(request.args.get("checkpoint"), "checkpoint"),
    )
    return export_response(policy, source, fmt)


# --- the public page: no sign-in ----------------------------------------------------------

# A release never changes, so its page is rendered once per process. The key holds
# the newest release number (the "other versions" list grows with each release) and
# who among the people it names still agrees to be named (that can be withdrawn).
# Serving a cached page costs one or two small queries.
_CACHE: dict[tuple, str] = {}
_NAMED: dict[tuple[str, int], list[int]] = {}  # (address, number) -> ids in its credits
_CACHE_LOCK = Lock()
_CACHE_SIZE = 256


def _remember(cache: dict, key, value, size: int = _CACHE_SIZE) -> None:
    with _CACHE_LOCK:
        if len(cache) >= size:
            cache.clear()
        cache[key] = value


def _public_html(slug: str, policy_id: int, number: int, latest: int) -> str:
    release = None
    ids = _NAMED.get((slug, number))
    if ids is None:
        release = publishing.get_release(db(), policy_id, number)
        ids = Document.from_dict(release.document).credits.ids
        _remember(_NAMED, (slug, number), ids)
    key = (slug, number, latest, frozenset(still_agreeing(db(), ids)))
    found = _CACHE.get(key)
    if found is not None:
        return found
    release = release or publishing.get_release(db(), policy_id, number)
    versions = [
        {
            "label": f"Version {r.number}",
            "url": url_for("web.public_release", slug=slug, number=r.number),
            "date": day_in_words(r.created_at),
            "current": r.id == release.id,
        }
        for r in publishing.releases_of(db(), policy_id)
    ]
    downloads = [
        {"label": label, "url": url_for("web.public_file", slug=slug, number=number, fmt=fmt)}
        for fmt, label in PUBLIC_FILES.items()
    ]
    document = publishing.release_document(db(), release)
    html = render_html(  # milliseconds, once per release and process (cached)
        document,
        changes=release.changes,
        versions=versions,
        downloads=downloads,
        css_href=url_for("web.public_css"),
    )
    _remember(_CACHE, key, html)
    return html


# What an address shows, for a moment: under many readers this saves the page's two
# small queries. Switching the page off or on, or a change to who agrees to be named,
# clears it in this process (the PublicPagesChanged event, after the change commits);
# other processes catch up within
# LOOKUP_SECONDS.
LOOKUP_SECONDS = 2.0
_LOOKUPS: dict[tuple[str, int | None], tuple[float, str]] = {}


def forget_public_pages(_evt: events.PublicPagesChanged | None = None) -> None:
    """Forget what addresses showed (after the change that may alter them commits)."""
    with _CACHE_LOCK:
        _LOOKUPS.clear()


events.subscribe(events.PublicPagesChanged, forget_public_pages)


def _public_headers(response: Response) -> Response:
    """Any cache asks again every time (no-cache), so hiding the page, or showing it
    again, takes effect at once for every reader; the ETag makes the asking cheap
    (304, no body). A visitor with cookies (a signed-in member) may be sent a
    refreshed session cookie, which no shared cache may keep: their copy is private."""
    scope = "private" if request.cookies else "public"
    response.headers["Cache-Control"] = f"{scope}, no-cache"
    response.headers["Vary"] = "Cookie"
    response.add_etag()
    response = response.make_conditional(request)
    # make_conditional adds a Date; the server adds its own, and a response may carry
    # only one (RFC 9110).
    response.headers.pop("Date", None)
    return response


def _public(slug: str, number: int | None) -> Response:
    now = time.monotonic()
    found = _LOOKUPS.get((slug, number))
    if found is not None and now - found[0] < LOOKUP_SECONDS:
        html = found[1]
    else:
        policy_id, at, latest = publishing.public_lookup(db(), slug, number)
        html = _public_html(slug, policy_id, at, latest)
        _remember(_LOOKUPS, (slug, number), (now, html))
    return _public_headers(Response(html, mimetype="text/html"))


@bp.get("/published/<slug>/latest")
def public_latest(slug: str):
    return _public(slug, None)


@bp.get("/published/<slug>/v<int:number>")
def public_release(slug: str, number: int):
    return _public(slug, number)


# --- the public page's files: a family can print, keep or pass on a version ---------

# What a family is offered, in their words (the page itself is the HTML).
PUBLIC_FILES = {
    "pdf": "PDF, to print or keep",
    "docx": "Word document",
    "odt": "OpenDocument (LibreOffice)",
}
# Anyone may ask for these, without signing in, so each file is made at most once per
# release, format and credits (who agrees to be named) in this process, and the
# public makes one at a time: readers can never hold more than one of the export
# workers (server/offload.py) that members' own exports need.
_FILES: dict[tuple, bytes] = {}
_FILES_SIZE = 32
_MAKING = Lock()


def _public_file_bytes(key: tuple, document: Document, fmt: str) -> bytes:
    found = _FILES.get(key)
    if found is not None:
        return found
    if not _MAKING.acquire(timeout=current_app.config["HEAVY_WORK_SECONDS"]):
        raise TooSlow(
            "This file cannot be made right now: the server is busy making others. "
            "Try again in a minute.",
            code="busy",
        )
    try:
        found = _FILES.get(key)  # made while this request waited
        if found is None:
            found = render_file(document, fmt)
            _remember(_FILES, key, found, size=_FILES_SIZE)
        return found
    finally:
        _MAKING.release()


@bp.get("/published/<slug>/v<int:number>/download/<fmt>")
def public_file(slug: str, number: int, fmt: str):
    """A published version as a file, for anyone the page is public to: the same
    addresses answer 404 and 410 as the page does, and an unknown format is 404."""
    if fmt not in PUBLIC_FILES:
        raise NotFound("There is no such file here.")
    policy_id, at, _latest = publishing.public_lookup(db(), slug, number)
    release = publishing.get_release(db(), policy_id, at)
    document = publishing.release_document(db(), release)
    body = _public_file_bytes((slug, at, fmt, frozenset(document.credits.ids)), document, fmt)
    name = publishing.filename(db().get(Policy, policy_id), Source(release=at), fmt)
    response = Response(
        body,
        content_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    return _public_headers(response)


@bp.get("/published/document.css")
def public_css():
    return Response(css(), mimetype="text/css", headers={"Cache-Control": "public, max-age=3600"})


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for this on pages that name no icon of their own (the public
    page, the session pack); the other pages name the SVG icon this points to."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
