"""Picking the date of the next session: facilitators offer dates, members answer
yes, if need be or no for each, and everyone sees the counts and who gave them.
Closing with a chosen date plans the session."""

from __future__ import annotations

from flask import url_for

from server import access_of, auth
from server.access import group_access
from server.api.common import ID, ApiBlueprint, db, page_url
from server.api.date_polls_schemas import (
    DatePollAnswersSchema,
    DatePollCloseSchema,
    DatePollInSchema,
    DatePollSchema,
)
from server.meetings import date_poll
from server.permissions import Action

blp = ApiBlueprint(
    "Date polls",
    "Which dates suit members for the next session: offer dates, answer yes, if need be "
    "or no, see the counts and who gave them, close with the chosen date.",
)

# Every route here needs a signed-in caller: check it before the body is read, so
# an anonymous caller gets 401 whatever it sent.
blp.before_request(lambda: auth.me() and None)


def _poll(poll_id: int, action: Action = Action.VIEW):
    """A poll, if the caller may act on it (404 outside its group)."""
    return access_of.date_poll(db(), auth.me().id, poll_id, action)


def _body(poll) -> dict:
    found = date_poll.results(db(), poll, auth.me().id)
    found["page"] = page_url(url_for("web.date_poll", poll_id=poll.id))
    return found


@blp.route(f"/groups/<{ID}:group_id>/date-polls", methods=["GET"])
@blp.response(200, DatePollSchema(many=True))
@blp.errors(401, 404)
def list_polls(group_id):
    """A group's date polls, open ones first"""
    group_access(db(), auth.me().id, group_id)
    return [_body(p) for p in date_poll.polls_of(db(), group_id)]


@blp.route(f"/groups/<{ID}:group_id>/date-polls", methods=["POST"])
@blp.arguments(DatePollInSchema)
@blp.response(201, DatePollSchema)
@blp.errors(401, 403, 404, 422)
def ask(body, group_id):
    """Offer dates for the next session (facilitators); every member is told"""
    access = group_access(db(), auth.me().id, group_id, Action.MANAGE)
    poll = date_poll.ask(
        db(), access.group, auth.me(), title=body.get("title"), options=body["options"]
    )
    return _body(poll)


@blp.route(f"/date-polls/<{ID}:poll_id>", methods=["GET"])
@blp.response(200, DatePollSchema)
@blp.errors(401, 404)
def get_poll(poll_id):
    """A date poll with the counts and who gave each answer"""
    poll, _access = _poll(poll_id)
    return _body(poll)


@blp.route(f"/date-polls/<{ID}:poll_id>/answers/mine", methods=["PUT"])
@blp.arguments(DatePollAnswersSchema)
@blp.response(200, DatePollSchema)
@blp.errors(401, 404, 409, 422)
def answer(body, poll_id):
    """Give or change your answers; dates left out keep your earlier answer"""
    poll, _access = _poll(poll_id)
    date_poll.answer(db(), poll, auth.me().id, body["answers"])
    return _body(poll)


@blp.route(f"/date-polls/<{ID}:poll_id>/close", methods=["POST"])
@blp.arguments(DatePollCloseSchema)
@blp.response(200, DatePollSchema)
@blp.errors(401, 403, 404, 409, 422)
def close(body, poll_id):
    """Close the poll (facilitators); with `option_id`, plan the session on that date"""
    poll, _access = _poll(poll_id, Action.MANAGE)
    date_poll.close(db(), poll, auth.me(), body.get("option_id"), body.get("place", ""))
    return _body(poll)


@blp.route(f"/date-polls/<{ID}:poll_id>", methods=["DELETE"])
@blp.response(204)
@blp.errors(401, 403, 404)
def remove(poll_id):
    """Delete a date poll and its answers (facilitators)"""
    poll, _access = _poll(poll_id, Action.MANAGE)
    date_poll.remove(db(), poll)
