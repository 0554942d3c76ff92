"""Bodies of the session-record API: attendance, notes on agenda items, actions
and the full minutes. Names start with "Record" so they stay unique in the
OpenAPI document."""

from __future__ import annotations

from marshmallow import fields, validate

from server.api.schemas import Flag, Id, Schema, Text, _d
from server.meetings.attendance import MODES, STATUSES

STATUS_VALUES = list(STATUSES)
MODE_VALUES = list(MODES)


class RecordAttendanceEntrySchema(Schema):
    """One member's attendance."""

    user_id = Id("The member (a user id).", required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(STATUS_VALUES),
        metadata=_d("present, apologies or absent.", enum=STATUS_VALUES),
    )
    mode = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(MODE_VALUES),
        metadata=_d("For someone present: in_person or online.", enum=MODE_VALUES),
    )


class RecordAttendanceInSchema(Schema):
    """Attendance to record; members left out keep what they had."""

    attendance = fields.List(
        fields.Nested(RecordAttendanceEntrySchema),
        required=True,
        validate=validate.Length(max=2000),
        metadata=_d("One entry per member."),
    )


class RecordAttendanceSchema(Schema):
    """A member of the group and their attendance (status null: not recorded)."""

    user_id = fields.Integer(metadata=_d("User id."))
    name = fields.String(metadata=_d("Their name."))
    role = fields.String(metadata=_d("Their role in the group."))
    status = fields.String(allow_none=True, metadata=_d("present, apologies, absent or null."))
    mode = fields.String(allow_none=True, metadata=_d("in_person, online or null."))


class RecordNoteInSchema(Schema):
    """The note on one agenda item; empty text removes it."""

    item = Text('The item: "vote:ID" for a vote, "item:ID" for another item.', 40, required=True)
    text = Text("What was said (up to 20000 characters).", 40_000, required=True)


class RecordNoteSchema(Schema):
    """The note on one agenda item."""

    item = fields.String(metadata=_d('"vote:ID" or "item:ID".'))
    title = fields.String(metadata=_d("The item's title."))
    text = fields.String(metadata=_d("The note."))


class RecordActionInSchema(Schema):
    """An action agreed in a session."""

    what = Text("What is to be done (up to 2000 characters).", 4000, required=True)
    assignee_id = Id("Who will do it (a member's user id).", load_default=None, allow_none=True)
    due_on = fields.Date(load_default=None, allow_none=True, metadata=_d("By when (a date)."))


class RecordActionUpdateSchema(Schema):
    """Mark an action done or not done."""

    done = Flag(required=True, metadata=_d("true: done; false: open again."))


class RecordActionSchema(Schema):
    """An action: what, who, by when, and whether it is done."""

    id = fields.Integer(metadata=_d("Action id."))
    what = fields.String(metadata=_d("What is to be done."))
    assignee_id = fields.Integer(allow_none=True, metadata=_d("Who will do it (user id)."))
    assignee = fields.String(allow_none=True, metadata=_d("Their name."))
    due_on = fields.String(allow_none=True, metadata=_d("By when (YYYY-MM-DD) or null."))
    meeting_id = fields.Integer(allow_none=True, metadata=_d("The session it was agreed in."))
    done = fields.Boolean(metadata=_d("Done."))
    done_at = fields.String(allow_none=True, metadata=_d("When it was marked done."))


class RecordReasonSchema(Schema):
    """A reason a member gave with their vote."""

    name = fields.String(metadata=_d("Who gave it."))
    choice = fields.String(metadata=_d("approve, reject or abstain."))
    reason = fields.String(metadata=_d("Their words."))


class RecordDecisionSchema(Schema):
    """A vote that closed while the session ran."""

    vote_id = fields.Integer(metadata=_d("The vote."))
    subject = fields.String(metadata=_d("proposal or agreement."))
    section = fields.String(metadata=_d("The section's title."))
    policy = fields.String(metadata=_d("The policy's title."))
    outcome = fields.String(allow_none=True, metadata=_d("approved, rejected or no_quorum."))
    reasons = fields.List(
        fields.Nested(RecordReasonSchema),
        allow_none=True,
        metadata=_d("Reasons given; null for a secret ballot (never shown)."),
    )


class RecordSummarySchema(Schema):
    """How many came, and how."""

    in_person = fields.Integer(metadata=_d("Present in person."))
    online = fields.Integer(metadata=_d("Present online."))
    apologies = fields.Integer(metadata=_d("Sent apologies."))
    absent = fields.Integer(metadata=_d("Absent."))


class RecordMinutesSchema(Schema):
    """The full minutes: decisions (with reasons), attendance, notes, actions."""

    closed = fields.Boolean(metadata=_d("The session has closed (decisions are final)."))
    decisions = fields.List(
        fields.Nested(RecordDecisionSchema), metadata=_d("Votes on the policy that have closed.")
    )
    attendance = fields.List(
        fields.Nested(RecordAttendanceSchema),
        metadata=_d("Counts: in_person, online, apologies, absent."),
    )
    attendance_summary = fields.Nested(RecordSummarySchema, metadata=_d("Attendance summary."))
    notes = fields.List(fields.Nested(RecordNoteSchema), metadata=_d("Notes."))
    actions = fields.List(fields.Nested(RecordActionSchema), metadata=_d("Agreed in it."))
    carried_actions = fields.List(
        fields.Nested(RecordActionSchema),
        metadata=_d("Open actions from earlier sessions, to go over in this one."),
    )
