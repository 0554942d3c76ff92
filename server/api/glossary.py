"""The group's glossary over the API: list, suggest, accept, change, remove, adopt the
starter list, and its history. Everyone in the group reads it and suggests terms;
facilitators decide (a facilitator's new term goes straight in)."""

from __future__ import annotations

from marshmallow import fields, validate

from server import access_of, auth
from server.access import group_access
from server.api.common import ID, ApiBlueprint, db
from server.api.schemas import Schema, _d
from server.glossary import services as glossary
from server.glossary.models import TERM_CHARS, TermStatus
from server.permissions import Action

blp = ApiBlueprint(
    "Glossary",
    "Each group's glossary: terms with a plain explanation. Members suggest terms; "
    "facilitators accept, change or remove them. Accepted terms are marked in the text.",
)


@blp.before_request
def _signed_in_first() -> None:
    """Authenticate before the body is read: an anonymous caller gets 401 whatever it sent."""
    auth.me()


class TermSchema(Schema):
    """A glossary term."""

    id = fields.Integer(metadata=_d("The term's id."))
    group_id = fields.Integer(metadata=_d("The group it belongs to."))
    term = fields.String(metadata=_d("The word or short phrase."))
    explanation = fields.String(metadata=_d("What it means, in plain words (plain text)."))
    status = fields.String(
        metadata=_d("`accepted` (in the glossary) or `suggested` (waiting for a facilitator).")
    )
    from_starter = fields.Boolean(metadata=_d("Adopted from Codraft's starter list."))
    suggested_by_id = fields.Integer(allow_none=True, metadata=_d("Who suggested or added it."))
    created_at = fields.DateTime(metadata=_d("When it was suggested or added (UTC)."))
    updated_at = fields.DateTime(metadata=_d("When it last changed (UTC)."))


class TermInputSchema(Schema):
    """A term and its explanation. Cleaned, then checked: not empty, the term at most
    TERM_CHARS characters, the explanation at most 600, and no other term of the group
    the same apart from capitals."""

    term = fields.String(
        required=True,
        validate=validate.Length(max=10 * TERM_CHARS),  # generous: the service checks
        metadata=_d(f"The term (up to {TERM_CHARS} characters)."),
    )
    explanation = fields.String(
        required=True, validate=validate.Length(max=10000), metadata=_d("Plain explanation.")
    )


class StarterResultSchema(Schema):
    """How many starter terms were added."""

    added = fields.Integer(metadata=_d("Terms added (ones the group had already are kept)."))


class ChangeSchema(Schema):
    """One line of the glossary's history."""

    id = fields.Integer(metadata=_d("The change's id."))
    term = fields.String(metadata=_d("The term (as it was written then)."))
    action = fields.String(
        metadata=_d("suggested, added, accepted, rejected, changed, removed or adopted.")
    )
    detail = fields.String(metadata=_d("The explanation given, or what changed."))
    by_id = fields.Integer(allow_none=True, metadata=_d("Who did it."))
    at = fields.DateTime(metadata=_d("When (UTC)."))


def _term(term_id: int, action: Action):
    row, _access = access_of.glossary_term(db(), auth.me().id, term_id, action)
    return row


@blp.route(f"/groups/<{ID}:group_id>/glossary", methods=["GET"])
@blp.response(200, TermSchema(many=True))
@blp.errors(401, 404)
def list_terms(group_id):
    """List the group's glossary terms, accepted and suggested, in alphabetical order"""
    group_access(db(), auth.me().id, group_id)
    return glossary.terms_of(db(), group_id)


@blp.route(f"/groups/<{ID}:group_id>/glossary", methods=["POST"])
@blp.arguments(TermInputSchema)
@blp.response(201, TermSchema)
@blp.errors(401, 404, 409, 422)
def add_term(body, group_id):
    """Suggest a term (members), or add it to the glossary at once (facilitators)

    409 `duplicate_term` when the group has the term already (capitals do not
    count); 422 `invalid` when the term or explanation is empty or too long.
    Nothing is saved in either case.
    """
    access = group_access(db(), auth.me().id, group_id)
    return glossary.suggest(
        db(),
        group_id,
        auth.me(),
        body["term"],
        body["explanation"],
        accept=access.membership.is_facilitator,
    )


@blp.route(f"/glossary/<{ID}:term_id>", methods=["PATCH"])
@blp.arguments(TermInputSchema)
@blp.response(200, TermSchema)
@blp.errors(401, 403, 404, 409, 422)
def change_term(body, term_id):
    """Change a term or its explanation (facilitators)"""
    row = _term(term_id, Action.MANAGE)
    return glossary.change(db(), row, auth.me(), body["term"], body["explanation"])


@blp.route(f"/glossary/<{ID}:term_id>/accept", methods=["POST"])
@blp.response(200, TermSchema)
@blp.errors(401, 403, 404, 409)
def accept_term(term_id):
    """Accept a suggested term into the glossary (facilitators)"""
    row = _term(term_id, Action.MANAGE)
    return glossary.accept(db(), row, auth.me())


@blp.route(f"/glossary/<{ID}:term_id>", methods=["DELETE"])
@blp.response(204)
@blp.errors(401, 403, 404)
def delete_term(term_id):
    """Remove a term, or turn down a suggestion (facilitators)"""
    row = _term(term_id, Action.MANAGE)
    if row.status == TermStatus.SUGGESTED:
        glossary.reject(db(), row, auth.me())
    else:
        glossary.remove(db(), row, auth.me())


@blp.route(f"/groups/<{ID}:group_id>/glossary/starter", methods=["POST"])
@blp.response(200, StarterResultSchema)
@blp.errors(401, 403, 404)
def adopt_starter(group_id):
    """Add Codraft's starter list of SEND terms (facilitators); terms the group has stay"""
    group_access(db(), auth.me().id, group_id, Action.MANAGE)
    return {"added": glossary.adopt_starter(db(), group_id, auth.me())}


@blp.route(f"/groups/<{ID}:group_id>/glossary/history", methods=["GET"])
@blp.response(200, ChangeSchema(many=True))
@blp.errors(401, 404)
def glossary_history(group_id):
    """The glossary's history, latest first (the last 200 changes)"""
    group_access(db(), auth.me().id, group_id)
    return glossary.history(db(), group_id)
