"""Whole-group sessions: plan, start and close them, their agenda, each member's
review of what changed since the last session, review progress and the pack.

Every member reads sessions, their own review and the pack, and marks items
reviewed; facilitators (MANAGE) plan, start and close sessions, edit the agenda
and see review progress. Progress is counts only: it says nothing about votes.
"""

from __future__ import annotations

from flask import Response, url_for
from flask_smorest import Blueprint

from server import access_of, auth
from server.access import group_access
from server.api.common import ID, ApiBlueprint, Loaded, db, page_url
from server.api.sessions_schemas import (
    SessionAgendaCreateSchema,
    SessionAgendaItemSchema,
    SessionAgendaSchema,
    SessionAgendaUpdateSchema,
    SessionCreateSchema,
    SessionMarkedSchema,
    SessionMarksSchema,
    SessionProgressSchema,
    SessionReviewPageSchema,
    SessionReviewSchema,
    SessionSchema,
    SessionUpdateSchema,
)
from server.exports import session_pack as pack
from server.meetings import agenda, review, services
from server.meetings.models import Meeting
from server.meetings.present import agenda_data, review_data
from server.permissions import Action

blp = ApiBlueprint(
    "Sessions",
    "Whole-group sessions. Starting one makes a checkpoint of "
    "every policy; closing one records the decisions taken in it as minutes. "
    "Members read them; facilitators plan, run them and edit the agenda.",
)
review_blp = ApiBlueprint(
    "Session review",
    "Your review before the next session: what "
    "changed since the last one started, new discussion, and what "
    "awaits a vote. Mark items reviewed; a newer change unmarks one.",
)


def _session(meeting: Meeting) -> Loaded:
    return Loaded(meeting, page=page_url(url_for("web.session", meeting_id=meeting.id)))


def _meeting(meeting_id: int, action: Action = Action.VIEW) -> Meeting:
    """A session, if the caller may act on it (404 outside its group)."""
    meeting, _access = access_of.session(db(), auth.me().id, meeting_id, action)
    return meeting


# --- sessions ------------------------------------------------------------------------------


@blp.route(f"/groups/<{ID}:group_id>/sessions", methods=["GET"])
@blp.response(200, SessionSchema(many=True))
@blp.errors(401, 404)
def list_sessions(group_id):
    """List a group's sessions, latest first"""
    group_access(db(), auth.me().id, group_id)
    return [_session(m) for m in services.meetings_of(db(), group_id)]


@blp.route(f"/groups/<{ID}:group_id>/sessions", methods=["POST"])
@blp.arguments(SessionCreateSchema)
@blp.response(201, SessionSchema)
@blp.errors(401, 403, 404, 422)
def plan_session(body, group_id):
    """Plan a session (facilitators); its agenda starts with every open vote"""
    access = group_access(db(), auth.me().id, group_id, Action.MANAGE)
    return _session(services.schedule(db(), access.group, auth.me(), **body))


@blp.route(f"/sessions/<{ID}:meeting_id>", methods=["GET"])
@blp.response(200, SessionSchema)
@blp.errors(401, 404)
def get_session(meeting_id):
    """Show a session, with its minutes once closed"""
    return _session(_meeting(meeting_id))


@blp.route(f"/sessions/<{ID}:meeting_id>", methods=["PATCH"])
@blp.arguments(SessionUpdateSchema)
@blp.response(200, SessionSchema)
@blp.errors(401, 403, 404, 409, 422)
def update_session(body, meeting_id):
    """Change a session's title, time, place or notes (facilitators)

    A closed session's time cannot change: 409 `session_closed`.
    """
    meeting = _meeting(meeting_id, Action.MANAGE)
    return _session(services.update_meeting(db(), meeting, **body))


@blp.route(f"/sessions/<{ID}:meeting_id>", methods=["DELETE"])
@blp.response(204)
@blp.errors(401, 403, 404, 409)
def cancel_session(meeting_id):
    """Cancel a planned session (facilitators): it is removed and members are told

    Started already is 409 `session_started`; with attendance, notes or actions
    recorded, 409 `session_has_record` (change its date instead).
    """
    services.cancel(db(), _meeting(meeting_id, Action.MANAGE), auth.me().id)


@blp.route(f"/sessions/<{ID}:meeting_id>/start", methods=["POST"])
@blp.response(200, SessionSchema)
@blp.errors(401, 403, 404, 409)
def start_session(meeting_id):
    """Start a session (facilitators): checkpoint every policy of the group

    Members' reviews then show what changed from here. Another session running is
    409 `session_running`; this one started already is 409 `session_started`.
    """
    meeting = _meeting(meeting_id, Action.MANAGE)
    return _session(services.start(db(), meeting, auth.me()))


@blp.route(f"/sessions/<{ID}:meeting_id>/close", methods=["POST"])
@blp.response(200, SessionSchema)
@blp.errors(401, 403, 404, 409)
def close_session(meeting_id):
    """Close a session (facilitators) and record its minutes

    The minutes are the votes that closed while it ran, and the sections agreed
    among them. Not started is 409 `session_not_started`; closed already is 409
    `session_closed`.
    """
    meeting = _meeting(meeting_id, Action.MANAGE)
    return _session(services.close(db(), meeting, auth.me()))


# --- the agenda ----------------------------------------------------------------------------


@blp.route(f"/sessions/<{ID}:meeting_id>/agenda", methods=["GET"])
@Blueprint.arguments(blp, SessionReviewPageSchema, location="query")
@blp.response(200, SessionAgendaSchema)
@blp.errors(401, 404)
def get_agenda(query, meeting_id):
    """A session's agenda: the facilitators' items, then one page of the votes

    Votes are read as they are, in the order of the text: those awaiting a decision
    while the session is planned or running, the ones it decided once it closed.
    They are read-only (`kind` `vote`, `key` `vote:<id>`), 100 to a page
    (`?page=N`). Reading the agenda changes nothing.
    """
    return agenda_data(db(), _meeting(meeting_id), query["page"])


@blp.route(f"/sessions/<{ID}:meeting_id>/agenda", methods=["POST"])
@blp.arguments(SessionAgendaCreateSchema)
@blp.response(201, SessionAgendaItemSchema)
@blp.errors(401, 403, 404, 422)
def add_agenda_item(body, meeting_id):
    """Add an item of your own at the end of the agenda (facilitators)"""
    meeting = _meeting(meeting_id, Action.MANAGE)
    item = agenda.add(db(), meeting, body["title"], body["note"])
    return item


@blp.route(f"/sessions/<{ID}:meeting_id>/agenda/<{ID}:item_id>", methods=["PATCH"])
@blp.arguments(SessionAgendaUpdateSchema)
@blp.response(200, SessionAgendaItemSchema)
@blp.errors(401, 403, 404, 422)
def edit_agenda_item(body, meeting_id, item_id):
    """Change an item's title or note, or move it to another place (facilitators)"""
    meeting = _meeting(meeting_id, Action.MANAGE)
    item = agenda.get_item(db(), meeting, item_id)
    agenda.edit(db(), item, title=body.get("title"), note=body.get("note"))
    if "position" in body:
        agenda.move(db(), meeting, item, body["position"])
    return item


@blp.route(f"/sessions/<{ID}:meeting_id>/agenda/<{ID}:item_id>", methods=["DELETE"])
@blp.response(204)
@blp.errors(401, 403, 404)
def remove_agenda_item(meeting_id, item_id):
    """Take an item off the agenda (facilitators); a vote's item does not come back"""
    meeting = _meeting(meeting_id, Action.MANAGE)
    item = agenda.get_item(db(), meeting, item_id)
    agenda.remove(db(), item)


# --- the pack ------------------------------------------------------------------------------


@blp.route(f"/sessions/<{ID}:meeting_id>/pack", methods=["GET"])
@blp.response(200, {"type": "string"}, content_type="text/html")
@blp.errors(401, 404)
def session_pack(meeting_id):
    """The session pack as printable HTML: agenda, decisions' text, what changed"""
    meeting = _meeting(meeting_id)
    return Response(pack.pack_html(db(), meeting), mimetype="text/html")


@blp.route(f"/sessions/<{ID}:meeting_id>/pack.pdf", methods=["GET"])
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/pdf")
@blp.errors(401, 404, 503)
def session_pack_pdf(meeting_id):
    """The session pack as a PDF"""
    meeting = _meeting(meeting_id)
    return Response(
        pack.pack_pdf(db(), meeting),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{pack.filename(meeting)}"'},
    )


# --- review --------------------------------------------------------------------------------


@review_blp.route(f"/groups/<{ID}:group_id>/review", methods=["GET"])
@Blueprint.arguments(review_blp, SessionReviewPageSchema, location="query")
@review_blp.response(200, SessionReviewSchema)
@review_blp.errors(401, 404)
def my_review(query, group_id):
    """Your review: what changed since the last session, section by section

    Changed sentences come with their text before and after, a word diff and who
    changed them; then discussions with new comments, proposals open for
    discussion and votes waiting for a decision. Each item has a `key` and whether
    you have `reviewed` it. The review comes in pages of bounded size
    (`?page=N`, `page` and `pages` in the reply).
    """
    group_access(db(), auth.me().id, group_id)
    return review_data(db(), group_id, auth.me().id, page=query["page"])


@review_blp.route(f"/groups/<{ID}:group_id>/review/marks", methods=["POST"])
@review_blp.arguments(SessionMarksSchema)
@review_blp.response(200, SessionMarkedSchema)
@review_blp.errors(401, 404)
def mark_reviewed(body, group_id):
    """Mark items of your review reviewed (or, with `reviewed: false`, not)

    Every key must be in this group's current review, or nothing is marked: 404.
    """
    group_access(db(), auth.me().id, group_id)
    got = review.mark(db(), group_id, auth.me().id, body["keys"], body["reviewed"])
    return {
        "done": got.done,
        "total": len(got.items),
        "items": [{"key": i.key, "kind": i.kind, "reviewed": i.reviewed} for i in got.items],
    }


@review_blp.route(f"/groups/<{ID}:group_id>/review/progress", methods=["GET"])
@review_blp.response(200, SessionProgressSchema(many=True))
@review_blp.errors(401, 403, 404)
def review_progress(group_id):
    """How much each member has reviewed (facilitators); nothing about votes"""
    group_access(db(), auth.me().id, group_id, Action.MANAGE)
    return review.progress(db(), group_id)
