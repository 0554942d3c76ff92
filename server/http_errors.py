"""Turn every error into the right status with a plain message: JSON
`{"error": {"code", "message", "fields"?}}` under /api, a friendly page elsewhere."""

from __future__ import annotations

import logging

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from server.errors import DomainError, NotAuthenticated, field_paths
from server.extensions import login_manager

_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}
_MESSAGES = {
    401: "Sign in first.",
    404: "That was not found.",
    405: "That method is not allowed here.",
    413: "The request is too large.",
    422: "Some fields are missing or not valid.",
    429: "Too many attempts. Wait a minute and try again.",
    500: "Something went wrong on our side. Try again in a moment.",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def _flatten(messages) -> dict:
    """webargs reports {"json": {"field": [...]}}; clients want {"field": [...]}."""
    fields: dict = {}
    for location in (messages or {}).values():
        if isinstance(location, dict):
            fields.update(field_paths(location))
        else:
            fields.setdefault("_schema", []).extend(location)
    return fields


NOT_KEPT = {"Cache-Control": "no-store"}


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    """An error says how things stand at this moment (not found, hidden, not yet
    allowed), so no cache may keep it: browsers keep a 404 or 410 without this, and
    a family's link to a policy made public again would still show it gone."""
    if wants_json():
        body = {"code": code, "message": message}
        if fields:
            body["fields"] = fields
        return jsonify(error=body), status, NOT_KEPT
    return (
        render_template("error.html", status=status, message=message, fields=fields or {}),
        status,
        NOT_KEPT,
    )


def _domain(exc: DomainError):
    if isinstance(exc, NotAuthenticated) and not wants_json() and request.method == "GET":
        return login_manager.unauthorized()
    return error_response(exc.status, exc.code, exc.message, exc.fields)


def _http(exc: HTTPException):
    status = exc.code or 500
    fields = None
    data = getattr(exc, "data", None)
    if isinstance(data, dict) and "messages" in data:
        fields = _flatten(data["messages"])
    message = _MESSAGES.get(status) or exc.description or "Request failed."
    if status == 429 and exc.description:
        message = f"Too many attempts ({exc.description}). Wait a while and try again."
    return error_response(status, _CODES.get(status, "error"), message, fields)


def _csrf(exc: CSRFError):
    return error_response(
        400,
        "csrf_failed",
        "The form expired or came from elsewhere. Reload the page and try again.",
    )


def clash_response():
    """Two requests raced to write the same thing; the loser is told plainly."""
    return error_response(
        409, "conflict", "That clashes with a change made just now. Reload and try again."
    )


def _integrity(exc: IntegrityError):
    return clash_response()


def _unexpected(exc: Exception):
    logging.getLogger("codraft").exception("unhandled error")
    return error_response(500, "server_error", _MESSAGES[500])


def init_app(app) -> None:
    app.register_error_handler(DomainError, _domain)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(IntegrityError, _integrity)
    app.register_error_handler(HTTPException, _http)
    if not app.config.get("TESTING"):
        app.register_error_handler(Exception, _unexpected)
