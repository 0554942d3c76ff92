"""Publishing: numbered releases, what changed between them, the public page, and
exports of a release, a checkpoint or the policy now in five formats. Any member
reads and exports; facilitators publish and decide whether the page is public."""

from __future__ import annotations

from flask import Response, url_for

from server import auth, offload
from server.access import policy_access
from server.accounts.services import users_by_id
from server.api.common import ID, ApiBlueprint, Loaded, db, page_url
from server.api.publishing_schemas import (
    ExportQuerySchema,
    PublicPageSchema,
    PublicPageUpdateSchema,
    ReleaseCreateSchema,
    ReleaseDetailSchema,
    ReleaseSchema,
)
from server.exports import policy as exports
from server.permissions import Action
from server.publishing import services as publishing
from server.publishing.services import Source

blp = ApiBlueprint(
    "Publishing",
    "Numbered, frozen releases of a policy (v1, v2, ...), what changed "
    "between them, the public page, and exports (HTML, Markdown, Word, OpenDocument, "
    "tagged PDF).",
)


@blp.before_request
def _signed_in() -> None:
    """Authenticate before anything else is read, whatever the body or query."""
    auth.me()


def render_file(document, fmt: str) -> bytes:
    """The export's bytes. Formats whose rendering takes a noticeable time (PDF, Word,
    OpenDocument) are made in a worker process (server/offload.py), bounded in time,
    so live editing never waits for them; HTML and Markdown take milliseconds and
    are made here."""
    if fmt in exports.SLOW_FORMATS:
        return offload.run(exports.render, document, fmt, what=f"The {fmt.upper()} file")
    return exports.render(document, fmt)


def public_url(db_session, policy_id: int, number: int | None = None) -> str | None:
    page = publishing.public_page_of(db_session, policy_id)
    if page is None or not page.is_public:
        return None
    if number is None:
        return page_url(url_for("web.public_latest", slug=page.slug))
    return page_url(url_for("web.public_release", slug=page.slug, number=number))


def _release(row, detail: bool = False) -> Loaded:
    users = users_by_id(db(), {row.created_by_id})
    extra = {}
    if detail:
        document = publishing.release_document(db(), row).to_dict()
        document["credits"].pop("ids")  # people's ids are not part of the document
        extra = {"document": document, "changes": row.changes}
    return Loaded(
        row,
        created_by=users.get(row.created_by_id),
        public_url=public_url(db(), row.policy_id, row.number),
        **extra,
    )


@blp.route(f"/policies/<{ID}:policy_id>/releases", methods=["GET"])
@blp.response(200, ReleaseSchema(many=True))
@blp.errors(401, 404)
def list_releases(policy_id):
    """List a policy's releases, newest first"""
    policy, _access = policy_access(db(), auth.me().id, policy_id)
    return [_release(r) for r in publishing.releases_of(db(), policy.id)]


@blp.route(f"/policies/<{ID}:policy_id>/releases", methods=["POST"])
@blp.arguments(ReleaseCreateSchema)
@blp.response(201, ReleaseDetailSchema)
@blp.errors(401, 403, 404, 422)
def publish(body, policy_id):
    """Publish the policy (now, or at a checkpoint) as the next release (facilitators)

    An unknown checkpoint, or one of another policy, is a 404.
    """
    policy, access = policy_access(db(), auth.me().id, policy_id, Action.MANAGE)
    row = publishing.publish(
        db(), policy, access.membership.user, body["note"], body["checkpoint_id"]
    )
    return _release(row, detail=True)


@blp.route(f"/policies/<{ID}:policy_id>/releases/<{ID}:number>", methods=["GET"])
@blp.response(200, ReleaseDetailSchema)
@blp.errors(401, 404)
def get_release(policy_id, number):
    """Read a release: its frozen document and what changed since the one before"""
    policy, _access = policy_access(db(), auth.me().id, policy_id)
    return _release(publishing.get_release(db(), policy.id, number), detail=True)


@blp.route(f"/policies/<{ID}:policy_id>/public", methods=["GET"])
@blp.response(200, PublicPageSchema)
@blp.errors(401, 404)
def get_public(policy_id):
    """Whether the policy has a public page, and its address"""
    policy, _access = policy_access(db(), auth.me().id, policy_id)
    url = public_url(db(), policy.id)
    return {"public": url is not None, "url": url}


@blp.route(f"/policies/<{ID}:policy_id>/public", methods=["PUT"])
@blp.arguments(PublicPageUpdateSchema)
@blp.response(200, PublicPageSchema)
@blp.errors(401, 403, 404, 422)
def set_public(body, policy_id):
    """Make the published versions public, or hide them again (facilitators)

    Making it public before any release is a 422 `nothing_published`. Once hidden,
    the public address answers 410 Gone.
    """
    policy, access = policy_access(db(), auth.me().id, policy_id, Action.MANAGE)
    publishing.set_public(db(), policy, access.membership.user, body["public"])
    url = public_url(db(), policy.id)
    return {"public": url is not None, "url": url}


@blp.route(f"/policies/<{ID}:policy_id>/export", methods=["GET"])
@blp.arguments(ExportQuerySchema, location="query")
@blp.response(
    200,
    {"type": "string", "format": "binary"},
    content_type="application/octet-stream",
    description="The file, with Content-Disposition: attachment. Content-Type is the "
    "format's: text/html, text/markdown, application/vnd.openxmlformats-officedocument."
    "wordprocessingml.document, application/vnd.oasis.opendocument.text or application/pdf.",
)
@blp.errors(401, 404, 422)
def export(query, policy_id):
    """Export a release, a checkpoint or the policy now as a file

    An unknown release or checkpoint is a 404; an unknown format, or both a release
    and a checkpoint, is a 422.
    """
    policy, _access = policy_access(db(), auth.me().id, policy_id)
    return export_response(
        policy, Source(query.get("release"), query.get("checkpoint")), query["format"]
    )


def export_response(policy, source: Source, fmt: str) -> Response:
    """The whole file, or an error before any byte is sent."""
    fmt = publishing.check_format(fmt)
    document = publishing.document_for(db(), policy, source)
    body = render_file(document, fmt)
    name = publishing.filename(policy, source, fmt)
    return Response(
        body,
        content_type=exports.MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )
