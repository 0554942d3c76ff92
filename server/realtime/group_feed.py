"""Watching a whole group on the page's one socket: the group's review page and a
session's page list things from every policy of the group, and refresh when any
of them changes.

A socket joins one policy at a time (join_policy), so these pages once opened a
socket per policy. `watch_group` instead puts the socket in the group's room,
authorised exactly as `GET /groups/<id>/review` is (server.access.group_access:
any member). The room gets each of the group's `review` events with its
`policy_id`, and a small `policy_changed` (policy and seq, no text) after each op;
pages then fetch what they show through the same checks as any request. The
socket also enters the member's cut-off room, so removal from the group ends it.
"""

from __future__ import annotations

from functools import lru_cache

from flask import current_app, has_app_context
from sqlalchemy import select

from server import access, events
from server.extensions import socketio
from server.meetings.changes import SessionChanged
from server.policies.models import Policy
from server.policies.oplog import PolicyChanged
from server.realtime import cutoff, schemas
from server.realtime.boundary import Ctx, enter_room, leave_room, socket_event
from server.review.changes import ReviewChanged


def group_room(group_id: int) -> str:
    return f"group:{group_id}"


@socket_event("watch_group", schemas.WatchGroup)
def watch_group(ctx: Ctx, data: dict) -> dict:
    """Watch one group's review and session changes; a socket watches one group at
    a time (watching another leaves the first)."""
    group = access.group_access(ctx.db, ctx.user.id, data["group_id"]).group
    _leave_group_rooms(ctx)
    enter_room(ctx.sid, group_room(group.id))
    enter_room(ctx.sid, cutoff.member_room(group.id, ctx.user.id))
    return {"ok": True, "group_id": group.id}


@socket_event("unwatch_group", schemas.Nothing)
def unwatch_group(ctx: Ctx, _data: dict) -> dict:
    _leave_group_rooms(ctx)
    return {"ok": True}


def _leave_group_rooms(ctx: Ctx) -> None:
    """Leave the watched group's room and its cut-off room (kept if the joined
    policy is in that group: join_policy put the socket there too)."""
    joined_group = _group_of(ctx.policy_id) if ctx.policy_id is not None else None
    for name in socketio.server.rooms(ctx.sid, namespace="/"):
        if name.startswith("group:"):
            leave_room(ctx.sid, name)
            group_id = int(name.split(":")[1])
            if group_id != joined_group:
                leave_room(ctx.sid, cutoff.member_room(group_id, ctx.user.id))


def _group_of(policy_id: int) -> int | None:
    return _group_in(current_app.extensions["codraft_db"].engine, policy_id)


@lru_cache(maxsize=4096)
def _group_in(engine, policy_id: int) -> int | None:
    """A policy never moves to another group: remember which group it is in (per
    database), so an op costs no query here."""
    with engine.connect() as conn:
        return conn.scalar(select(Policy.group_id).where(Policy.id == policy_id))


def _on_review(evt: ReviewChanged) -> None:
    if has_app_context() and (group_id := _group_of(evt.policy_id)) is not None:
        socketio.emit(
            "review", {**evt.as_dict(), "policy_id": evt.policy_id}, to=group_room(group_id)
        )


def _on_session(evt: SessionChanged) -> None:
    if has_app_context():
        socketio.emit("review", {**evt.as_dict(), "policy_id": None}, to=group_room(evt.group_id))


def _on_op(evt: PolicyChanged) -> None:
    if has_app_context() and (group_id := _group_of(evt.policy_id)) is not None:
        socketio.emit(
            "policy_changed",
            {"policy_id": evt.policy_id, "seq": evt.message.get("seq")},
            to=group_room(group_id),
        )


def init_app(app) -> None:
    events.subscribe(ReviewChanged, _on_review)
    events.subscribe(SessionChanged, _on_session)
    events.subscribe(PolicyChanged, _on_op)
