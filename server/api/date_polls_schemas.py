"""Bodies of the date-poll API. Names start with "DatePoll" so they stay unique in
the OpenAPI document."""

from __future__ import annotations

from datetime import UTC

from marshmallow import fields, validate

from server.api.schemas import Id, Schema, Text, _d
from server.meetings.date_poll import ANSWERS, MAX_OPTIONS

ANSWER_VALUES = list(ANSWERS)


class DatePollInSchema(Schema):
    """Dates to offer for the next session."""

    title = Text('What the session is called (up to 200 characters; default "Next session").', 800)
    options = fields.List(
        fields.AwareDateTime(default_timezone=UTC),
        required=True,
        validate=validate.Length(max=MAX_OPTIONS * 5),
        metadata=_d(f"1 to {MAX_OPTIONS} start times in the future (ISO 8601; no zone: UTC)."),
    )


class DatePollAnswersSchema(Schema):
    """Your answers, by date (option) id."""

    answers = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[1-9][0-9]{0,9}$")),
        values=fields.String(validate=validate.OneOf(ANSWER_VALUES)),
        required=True,
        metadata=_d('{"<option id>": "yes" | "if_need_be" | "no"}.'),
    )


class DatePollCloseSchema(Schema):
    """Close the poll, and plan the session on one of its dates if given."""

    option_id = Id(
        "The chosen date (an option id), or null to close without one.",
        load_default=None,
        allow_none=True,
    )
    place = Text("Where the session is (up to 500 characters).", 2000, load_default="")


class DatePollPersonSchema(Schema):
    """A member who gave an answer."""

    user_id = fields.Integer(metadata=_d("User id."))
    name = fields.String(metadata=_d("Their name."))


class DatePollPeopleSchema(Schema):
    """Who gave each answer for one date."""

    yes = fields.List(fields.Nested(DatePollPersonSchema), metadata=_d("Said yes."))
    if_need_be = fields.List(fields.Nested(DatePollPersonSchema), metadata=_d("If need be."))
    no = fields.List(fields.Nested(DatePollPersonSchema), metadata=_d("Said no."))


class DatePollCountsSchema(Schema):
    """How many gave each answer for one date."""

    yes = fields.Integer(metadata=_d("How many said yes."))
    if_need_be = fields.Integer(metadata=_d("How many said if need be."))
    no = fields.Integer(metadata=_d("How many said no."))


class DatePollOptionSchema(Schema):
    """One date offered, with its answers."""

    id = fields.Integer(metadata=_d("Option id."))
    starts_at = fields.DateTime(metadata=_d("When the session would start (UTC)."))
    counts = fields.Nested(DatePollCountsSchema, metadata=_d("Answers counted."))
    people = fields.Nested(DatePollPeopleSchema, metadata=_d("Who gave each answer."))


class DatePollSchema(Schema):
    """A date poll with its results: counts and who gave them."""

    id = fields.Integer(metadata=_d("Poll id."))
    group_id = fields.Integer(metadata=_d("Its group."))
    title = fields.String(metadata=_d("The session it is for."))
    open = fields.Boolean(metadata=_d("Members may still answer."))
    created_at = fields.DateTime(metadata=_d("When it was asked."))
    closed_at = fields.DateTime(allow_none=True, metadata=_d("When it closed, or null."))
    session_id = fields.Integer(allow_none=True, metadata=_d("The session planned from it."))
    options = fields.List(
        fields.Nested(DatePollOptionSchema), metadata=_d("Dates, earliest first.")
    )
    mine = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata=_d("Your answers by option id.")
    )
    answered = fields.Integer(metadata=_d("How many members have answered."))
    members = fields.Integer(metadata=_d("How many members the group has."))
    best_option_id = fields.Integer(
        allow_none=True, metadata=_d("The date most can come to (yes, then if need be).")
    )
    page = fields.String(metadata=_d("Its page."))
