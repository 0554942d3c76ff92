"""Review changes to connected browsers.

Comments, proposals and votes are made over HTTP; their services publish a
`ReviewChanged` (server/review/changes.py), delivered after commit. Here it goes to
everyone in the policy as a `review` event naming what changed, never a ballot:
pages then fetch what they show through the same checks as any request, so a
secret ballot stays secret and nobody sees more than their rights allow.

Votes whose time has come are closed by the scheduled job in server/jobs.py; the
outcome reaches connected people through the same `review` event.
"""

from __future__ import annotations

from flask import current_app, has_app_context
from sqlalchemy import select

from server import events
from server.extensions import socketio
from server.meetings.changes import SessionChanged
from server.policies.models import Policy
from server.realtime.broadcast import room
from server.review.changes import ReviewChanged


def _on_review(evt: ReviewChanged) -> None:
    if has_app_context():
        socketio.emit("review", evt.as_dict(), to=room(evt.policy_id))


def _on_session(evt: SessionChanged) -> None:
    """A session belongs to the whole group: tell everyone in any of its policies."""
    if not has_app_context():
        return

    with current_app.extensions["codraft_db"].engine.connect() as conn:
        policy_ids = list(conn.scalars(select(Policy.id).where(Policy.group_id == evt.group_id)))
    for policy_id in policy_ids:
        socketio.emit("review", evt.as_dict(), to=room(policy_id))


def init_app(app) -> None:
    events.subscribe(ReviewChanged, _on_review)
    events.subscribe(SessionChanged, _on_session)
