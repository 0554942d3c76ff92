"""Completing a session: attendance, notes on each agenda item, actions, and the
full minutes. Members read; facilitators (MANAGE) record; the member an action is
for, or a facilitator, marks it done."""

from __future__ import annotations

from flask import Response, url_for

from server import access_of, auth
from server.access import group_access
from server.api.common import ID, ApiBlueprint, db
from server.api.session_record_schemas import (
    RecordActionInSchema,
    RecordActionSchema,
    RecordActionUpdateSchema,
    RecordAttendanceInSchema,
    RecordAttendanceSchema,
    RecordMinutesSchema,
    RecordNoteInSchema,
    RecordNoteSchema,
)
from server.meetings import actions, calendar, minutes, notes
from server.permissions import Action

blp = ApiBlueprint(
    "Session record",
    "Who came to a session, the notes on each agenda item, the actions agreed (shown on "
    "later sessions until done) and the full minutes.",
)

# Every route here needs a signed-in caller: check it before the body is read, so
# an anonymous caller gets 401 whatever it sent.
blp.before_request(lambda: auth.me() and None)


def _meeting(meeting_id: int, action: Action = Action.VIEW):
    return access_of.session(db(), auth.me().id, meeting_id, action)


def _names(rows) -> dict:
    from sqlalchemy import select

    from server.accounts.models import User

    ids = {r.assignee_id for r in rows if r.assignee_id}
    if not ids:
        return {}
    return dict(db().execute(select(User.id, User.display_name).where(User.id.in_(ids))).all())


@blp.route(f"/sessions/<{ID}:meeting_id>/minutes", methods=["GET"])
@blp.response(200, RecordMinutesSchema)
@blp.errors(401, 404)
def get_minutes(meeting_id):
    """The full minutes of a session: decisions with reasons, attendance, notes, actions"""
    meeting, _access = _meeting(meeting_id)
    return minutes.full(db(), meeting)


@blp.route(f"/sessions/<{ID}:meeting_id>/calendar.ics", methods=["GET"])
@blp.response(200, {"type": "string"}, content_type="text/calendar")
@blp.errors(401, 404)
def session_calendar(meeting_id):
    """The session as an iCalendar file, to add to your own calendar"""
    meeting, access = _meeting(meeting_id)
    link = url_for("web.session", meeting_id=meeting.id, _external=True)
    return Response(
        calendar.ics(meeting, link, access.group.name),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{calendar.filename(meeting)}"'},
    )


@blp.route(f"/sessions/<{ID}:meeting_id>/attendance", methods=["PUT"])
@blp.arguments(RecordAttendanceInSchema)
@blp.response(200, RecordAttendanceSchema(many=True))
@blp.errors(401, 403, 404, 422)
def put_attendance(body, meeting_id):
    """Record attendance (facilitators)

    All or nothing: a user who is not a member of the group is 422 `not_a_member`,
    a member listed twice or a mode for someone not present is 422 `invalid`, and
    nothing is saved. The reply is every member with their attendance.
    """
    meeting, _access = _meeting(meeting_id, Action.MANAGE)
    from server.meetings import attendance

    attendance.record(db(), meeting, auth.me().id, body["attendance"])
    return minutes.attendance_rows(db(), meeting)


@blp.route(f"/sessions/<{ID}:meeting_id>/notes", methods=["PUT"])
@blp.arguments(RecordNoteInSchema)
@blp.response(200, RecordNoteSchema(many=True))
@blp.errors(401, 403, 404, 422)
def put_note(body, meeting_id):
    """Write the note on one agenda item (facilitators); the reply is every note"""
    meeting, _access = _meeting(meeting_id, Action.MANAGE)
    notes.write(db(), meeting, body["item"], body["text"], auth.me().id)
    return [n for n in minutes.item_notes(db(), meeting) if n["text"]]


@blp.route(f"/sessions/<{ID}:meeting_id>/actions", methods=["POST"])
@blp.arguments(RecordActionInSchema)
@blp.response(201, RecordActionSchema)
@blp.errors(401, 403, 404, 422)
def add_action(body, meeting_id):
    """Add an action agreed in a session (facilitators)

    Given to someone outside the group: 422 `not_a_member`.
    """
    meeting, _access = _meeting(meeting_id, Action.MANAGE)
    row = actions.add(db(), meeting, auth.me().id, **body)
    return minutes.action_dict(row, _names([row]))


@blp.route(f"/groups/<{ID}:group_id>/actions/mine", methods=["GET"])
@blp.response(200, RecordActionSchema(many=True))
@blp.errors(401, 404)
def my_actions(group_id):
    """Your open actions in a group"""
    group_access(db(), auth.me().id, group_id)
    rows = actions.open_for(db(), auth.me().id, group_id)
    names = _names(rows)
    return [minutes.action_dict(r, names) for r in rows]


@blp.route(f"/actions/<{ID}:action_id>", methods=["PATCH"])
@blp.arguments(RecordActionUpdateSchema)
@blp.response(200, RecordActionSchema)
@blp.errors(401, 403, 404, 409)
def update_action(body, action_id):
    """Mark an action done, or open again (the member it is for, or a facilitator)

    Marking a done action done again is 409 `already_done`.
    """
    row, access = access_of.action_item(db(), auth.me().id, action_id)
    actions.mark(db(), row, access.membership, body["done"])
    return minutes.action_dict(row, _names([row]))
