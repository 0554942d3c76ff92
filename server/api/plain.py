"""Plain-language hints over the API: per sentence of a section, the policy summary,
and dismissing a hint for a sentence (members of the owning sub-group)."""

from __future__ import annotations

from marshmallow import fields

from server import auth
from server.access import policy_access, section_access, sentence_for_edit
from server.api.common import ID, ApiBlueprint, db
from server.api.schemas import Schema, _d
from server.errors import NotFound
from server.plain import services as plain

blp = ApiBlueprint(
    "Plain language",
    "Hints that help write in plain words: reading age, long sentences, passive voice, "
    "writing to the reader, jargon. Hints never block anything.",
)


@blp.before_request
def _signed_in_first() -> None:
    """Authenticate before the body is read: an anonymous caller gets 401 whatever it sent."""
    auth.me()


class HintSchema(Schema):
    """One hint on a sentence."""

    code = fields.String(metadata=_d("reading_age, too_long, passive, not_to_reader or jargon."))
    label = fields.String(metadata=_d("A short name for people."))
    message = fields.String(metadata=_d("What to do, in plain words."))


class SentenceHintsSchema(Schema):
    """The hints of one sentence version."""

    id = fields.Integer(metadata=_d("The sentence."))
    version = fields.Integer(metadata=_d("The version the hints are for."))
    checked = fields.Boolean(
        metadata=_d("False when the rules do not judge it (another language, mostly numbers).")
    )
    reading_age = fields.Float(allow_none=True, metadata=_d("About what age reads it easily."))
    hints = fields.List(fields.Nested(HintSchema), metadata=_d("Hints still showing."))
    dismissed = fields.List(fields.String(), metadata=_d("Codes the sub-group dismissed."))
    terms = fields.List(
        fields.String(),
        metadata=_d("The group's glossary terms the sentence uses (lower case), to mark."),
    )


class SectionHintsSchema(Schema):
    """Hints for every sentence of a section, in order."""

    section_id = fields.Integer(metadata=_d("The section."))
    sentences = fields.List(fields.Nested(SentenceHintsSchema), metadata=_d("In order."))


class PlainSummarySchema(Schema):
    """A policy's plain-language summary (see docs/api.md for the shape)."""

    sentences = fields.Integer(metadata=_d("Live sentences."))
    checked = fields.Integer(metadata=_d("Sentences the rules judged."))
    flagged = fields.Integer(metadata=_d("Sentences with at least one hint showing."))
    median_reading_age = fields.Float(allow_none=True, metadata=_d("Median reading age."))
    hints = fields.Dict(metadata=_d("Per code: {sentences, share}."))
    sections = fields.List(fields.Dict(), metadata=_d("The same per section, with section_id."))
    since_last_session = fields.Dict(allow_none=True, metadata=_d("Change since the session."))
    since_last_release = fields.Dict(allow_none=True, metadata=_d("Change since the release."))


@blp.route(f"/sections/<{ID}:section_id>/hints", methods=["GET"])
@blp.response(200, SectionHintsSchema)
@blp.errors(401, 404)
def section_hints(section_id):
    """Hints for every sentence of a section"""
    section, access = section_access(db(), auth.me().id, section_id)
    found = plain.section_hints(db(), section, access.group.id)
    return {"section_id": section.id, "sentences": [f.as_dict() for f in found]}


@blp.route(f"/policies/<{ID}:policy_id>/plain-language", methods=["GET"])
@blp.response(200, PlainSummarySchema)
@blp.errors(401, 404)
def policy_summary(policy_id):
    """The policy's plain-language summary, per section, and its change since the last session"""
    policy, _access = policy_access(db(), auth.me().id, policy_id)
    return plain.policy_plain(db(), policy).as_dict()


def _dismissal(sentence_id: int, code: str):
    me = auth.me()
    plain._known(code)
    sentence, section, access = sentence_for_edit(db(), me.id, sentence_id)
    if sentence.deleted_at is not None:
        raise NotFound("That sentence was not found.")
    return sentence, section, access


@blp.route(f"/sentences/<{ID}:sentence_id>/dismissed-hints/<code>", methods=["PUT"])
@blp.response(200, SentenceHintsSchema)
@blp.errors(401, 403, 404, 422)
def dismiss(sentence_id, code):
    """Dismiss a hint for this sentence (members of the owning sub-group)"""
    sentence, section, access = _dismissal(sentence_id, code)
    plain.dismiss(db(), sentence, code, auth.me())
    return plain.hints_for(db(), access.group.id, [(sentence.id, sentence.version, sentence.text)])[
        0
    ].as_dict()


@blp.route(f"/sentences/<{ID}:sentence_id>/dismissed-hints/<code>", methods=["DELETE"])
@blp.response(200, SentenceHintsSchema)
@blp.errors(401, 403, 404, 422)
def restore(sentence_id, code):
    """Show a dismissed hint again (members of the owning sub-group)"""
    sentence, section, access = _dismissal(sentence_id, code)
    plain.restore(db(), sentence, code)
    return plain.hints_for(db(), access.group.id, [(sentence.id, sentence.version, sentence.text)])[
        0
    ].as_dict()
