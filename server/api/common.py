"""What every API module shares: the blueprint class (JSON bodies only, documented
errors), id path parameters, the database session, links to pages, and the views
that let schemas dump rows together with rows fetched for them."""

from __future__ import annotations

import http
from urllib.parse import urljoin

from flask import current_app, request
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.exceptions import BadRequest, UnsupportedMediaType

from server import auth, json_input
from server.api.schemas import MAX_ID
from server.errors import InvalidInput
from server.extensions import db_session as db  # noqa: F401  (handlers import it from here)

PREFIX = "/api/v1"
# Ids in paths: positive and within PostgreSQL's integer, or the route does not match
# (404) instead of the database failing on an out-of-range number.
ID = f"int(min=1, max={MAX_ID})"
PUBLIC = {"security": []}  # for @blp.doc: no token needed
# The only API routes that answer without a signed-in caller; each also says so in
# the OpenAPI document with @blp.doc(**PUBLIC) (tests/api/test_sign_in_first.py
# checks the two agree). Every other route answers 401 before reading its body or
# looking up its ids, so an anonymous caller learns nothing from the reply.
PUBLIC_ENDPOINTS = frozenset(
    {
        "Tokens.create_token",
        "Account.use_password_reset",
        "Invitations.show_invitation",
        "Invitations.accept_invitation",
    }
)


class _Parser(FlaskParser):
    """webargs, reading JSON bodies with the app's one safe parser (server.json_input)."""

    def _raw_load_json(self, req):
        if not is_json_request(req):
            return core.missing
        return json_input.loads(req.get_data(cache=True))


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint under /api/v1 that takes JSON bodies only."""

    ARGUMENTS_PARSER = _Parser()

    def __init__(self, name: str, description: str):
        super().__init__(name, __name__, url_prefix=PREFIX, description=description)
        self.before_request(_sign_in_first)
        self.before_request(_json_only)

    def arguments(self, schema, **kwargs):
        """Read the JSON body with `schema`; documents the ways a body can be refused."""
        read = super().arguments(schema, **kwargs)
        if kwargs.get("location", "json") != "json":
            return lambda func: self.errors(422)(read(func))  # query: no body to refuse

        def decorate(func):
            func = self.errors(400, 413, 415)(read(func))
            func.takes_a_body = True  # read by _json_only
            return func

        return decorate

    def errors(self, *statuses: int):
        """Document the error responses an endpoint can give (all share ErrorSchema)."""

        def decorate(func):
            for status in statuses:
                func = self.alt_response(status, response=http.HTTPStatus(status).name)(func)
            return func

        return decorate


def _sign_in_first() -> None:
    """Authenticate before anything else: 401 whatever the body or the ids."""
    if request.endpoint not in PUBLIC_ENDPOINTS and request.method != "OPTIONS":
        auth.me()


def _json_only() -> None:
    """Refuse a body that is not a JSON object with a clear message, before webargs
    would read a form body as "no fields" and a PATCH would quietly change nothing."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if not (request.content_length or request.headers.get("Transfer-Encoding")):
        return
    if not request.is_json:
        raise UnsupportedMediaType(
            "Send the body as JSON, with the header Content-Type: application/json."
        )
    try:
        body = json_input.loads(request.get_data(cache=True))
    except ValueError as exc:  # JSONDecodeError, or bytes that are not UTF-8
        reason = getattr(exc, "msg", None) or "it is not UTF-8 text"
        raise BadRequest(
            f"The body must be a JSON object, and this is not JSON: {reason}."
        ) from None
    if not isinstance(body, dict):
        raise BadRequest('The body must be a JSON object, like {"name": "..."}.')
    if body and not _takes_a_body():
        raise InvalidInput(
            "This call takes no body: send none, or {}.",
            fields={name: ["Unknown field."] for name in body},
        )


def _takes_a_body() -> bool:
    """Whether this route reads a JSON body (`ApiBlueprint.arguments` marks those):
    one that reads none would otherwise act on a body of misspelt fields, where
    every other route refuses unknown fields."""
    view = current_app.view_functions.get(request.endpoint)
    method = getattr(getattr(view, "view_class", None), request.method.lower(), view)
    return getattr(method, "takes_a_body", False)


def sign_in_limit() -> str:
    """The limit on password attempts, from the settings (CODRAFT_SIGN_IN_LIMIT)."""
    return current_app.config["SIGN_IN_LIMIT"]


def page_url(path: str) -> str:
    """An absolute link to one of the web pages, for people to open."""
    return urljoin(request.url_root, path)


class Loaded:
    """A row with some related rows already fetched, for a schema to dump: the
    related rows come from one query each instead of one per row."""

    def __init__(self, row, **loaded):
        self._row = row
        self.__dict__.update(loaded)

    def __getattr__(self, name):
        return getattr(self._row, name)


def member_view(member, viewer) -> Loaded:
    """A membership for MemberSchema. Emails are personal: facilitators see them (to
    invite and reset passwords), and so does the member themself; others see null."""
    shown = viewer.is_facilitator or viewer.user_id == member.user_id
    return Loaded(member, email=member.user.email if shown else None)
