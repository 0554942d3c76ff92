"""Payload schemas for socket events (marshmallow, as for the HTTP API): wrong types,
missing or unknown fields are refused before anything is loaded."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from server.api.schemas import MAX_ID  # one bound for ids, over HTTP and sockets
from server.policies.models import SECTION_TITLE_CHARS

MAX_PATCH_CHARS = 20_000
MAX_TEXT_CHARS = 2_000
MAX_REF = 2**53 - 1  # the largest integer every JSON client (JavaScript) keeps exact
Id = lambda **kw: fields.Integer(strict=True, validate=validate.Range(1, MAX_ID), **kw)  # noqa: E731


def Count(minimum: int = 0, **kw) -> fields.Integer:  # noqa: N802 (a field factory)
    """A version, a seq or an offset: stored as 32-bit integers, like ids."""
    return fields.Integer(strict=True, validate=validate.Range(minimum, MAX_ID), **kw)


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class Nothing(_Strict):
    """An event that takes no fields: `{}` or no payload. Unknown fields, or a payload
    that is not an object, are refused as for every other event."""


class PlaceSchema(_Strict):
    after = Id(allow_none=True)
    before = Id(allow_none=True)
    at = fields.String(validate=validate.OneOf(["start", "end"]), allow_none=True)

    @validates_schema
    def _one(self, data, **_):
        if sum(v is not None for v in data.values()) != 1:
            raise ValidationError("Give exactly one of after, before or at.")


class _Request(_Strict):
    ref = fields.Integer(strict=True, allow_none=True, validate=validate.Range(-MAX_REF, MAX_REF))


class Join(_Strict):
    policy_id = Id(required=True)
    client_id = fields.String(required=True, validate=validate.Length(min=8, max=64))
    since = Count(allow_none=True)


class WatchGroup(_Strict):
    group_id = Id(required=True)


class Presence(_Strict):
    section_id = Id(allow_none=True)
    sentence_id = Id(allow_none=True)


class EditSentence(_Request):
    id = Id(required=True)
    base_version = Count(1, required=True)
    patch = fields.String(required=True, validate=validate.Length(min=1, max=MAX_PATCH_CHARS))


class InsertSentence(_Request):
    section_id = Id(required=True)
    text = fields.String(required=True, validate=validate.Length(max=MAX_TEXT_CHARS))
    place = fields.Nested(PlaceSchema, required=True)


class DeleteSentence(_Request):
    id = Id(required=True)
    base_version = Count(1, required=True)


class SplitSentence(DeleteSentence):
    offset = Count(required=True)


class MergeSentence(DeleteSentence):
    into = Id(required=True)
    into_base_version = Count(1, required=True)


class MoveSentence(_Request):
    id = Id(required=True)
    place = fields.Nested(PlaceSchema, required=True)


class InsertSection(_Request):
    part_id = Id(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=SECTION_TITLE_CHARS))
    subgroup_id = Id(required=True)
    kind = fields.String(load_default="text", validate=validate.OneOf(["text", "faq"]))
    text = fields.String(load_default="", validate=validate.Length(max=100_000))
    place = fields.Nested(PlaceSchema, required=True)


class DeleteSection(_Request):
    id = Id(required=True)


class MoveSection(_Request):
    id = Id(required=True)
    place = fields.Nested(PlaceSchema, required=True)
