"""Review changes to connected browsers, and closing votes whose time has come.

Comments, proposals and votes are made over HTTP; their services publish a
`ReviewChanged` (server/review/changes.py), delivered after commit. Here it goes to
everyone in the policy as a `review` event naming what changed, never a ballot:
pages then fetch what they show through the same checks as any request, so a
secret ballot stays secret and nobody sees more than their rights allow.

A vote with a closing time closes when someone next looks at it or votes, and
also here, every half minute, so its outcome (and an approved proposal's text)
reaches connected people without anyone having to visit.
"""

from __future__ import annotations

import logging

from flask import current_app, has_app_context
from sqlalchemy import select

from server import events
from server.extensions import socketio
from server.meetings.changes import SessionChanged
from server.policies.models import Policy
from server.realtime.broadcast import room
from server.review import votes
from server.review.changes import ReviewChanged

log = logging.getLogger(__name__)
CLOSE_DUE_SECONDS = 30


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


def close_due_votes(database) -> int:
    """Close every vote past its closing time, one transaction each (one failing
    must not hold up the others). Returns how many closed."""
    closed = 0
    for vote_id in votes.due_votes(database.session):
        try:
            vote = votes.get_vote(database.session, vote_id)
            if vote.is_open:
                votes.close(database.session, vote, None)
                database.commit()
                closed += 1
        except Exception:
            database.session.rollback()
            log.exception("closing vote %s failed", vote_id)
    return closed


def init_app(app) -> None:
    events.subscribe(ReviewChanged, _on_review)
    events.subscribe(SessionChanged, _on_session)
    if app.config.get("TESTING") or app.extensions.get("codraft_vote_closer"):
        return
    app.extensions["codraft_vote_closer"] = True

    def loop():
        database = app.extensions["codraft_db"]
        while True:
            socketio.sleep(CLOSE_DUE_SECONDS)
            try:
                with app.app_context():
                    close_due_votes(database)
            except Exception:
                log.exception("closing due votes failed")
            finally:
                database.remove()

    socketio.start_background_task(loop)
