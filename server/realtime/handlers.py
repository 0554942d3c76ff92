"""Socket event handlers. Each: validate (schema), load and authorise (server.access
against the policy this socket joined), call one service, reply. Broadcasts leave
from the op log after commit; see docs/protocol.md for every payload."""

from __future__ import annotations

from functools import partial

from flask import current_app, request
from socketio import exceptions as sio_errors

from server import access, sync
from server.accounts.services import api_token_owner, session_owner
from server.auth import cookie_sign_in_token
from server.editing import clients
from server.editing import services as editing
from server.errors import NotFound
from server.extensions import socketio
from server.permissions import Action
from server.policies import oplog
from server.policies import services as policies
from server.policies.oplog import Origin
from server.presence import services as presence
from server.realtime import broadcast, cutoff, presence_batch, schemas
from server.realtime.boundary import (
    Ctx,
    connect_in_batch,
    enter_room,
    error_ack,
    leave_room,
    own_session,
    remember_join,
    socket_event,
)
from server.realtime.limits import buckets


def _credential_given(auth) -> tuple[str, str] | None:
    """Which credential the socket offers, unchecked: ("token", an API token from
    `auth.token` or an Authorization header) or ("session", the sign-in token of the
    session cookie), or None. Checked in the batch that records the socket."""
    token = auth.get("token") if isinstance(auth, dict) else None
    if not isinstance(token, str):  # a number, list or object is no token: refused
        token = None  # as none is (it used to fail in the batch and take others down)
    header = request.headers.get("Authorization", "")
    if not token and header.lower().startswith("bearer "):
        token = header[7:].strip()
    if token:
        return "token", token
    cookie = cookie_sign_in_token()
    return ("session", cookie) if cookie else None


def _record_connection(given: tuple[str, str], db, sid: str, _payload=None) -> dict:
    """Check the credential and write the connection row, inside a batch of joins
    (boundary.connect_in_batch): its reply names the credential, or refuses it."""
    kind, secret = given
    if kind == "token":
        found = api_token_owner(db, secret)
        credential = (found[1], None, found[0]) if found else None
    else:
        found = session_owner(db, secret, current_app.config["SESSION_IDLE"])
        credential = (found[1], found[0], None) if found else None
    if credential is None:
        return error_ack("not_authenticated", SIGN_IN_FIRST)
    user_id, auth_session_id, api_token_id = credential
    presence.connect(db, sid, user_id, auth_session_id=auth_session_id, api_token_id=api_token_id)
    return {"ok": True, "credential": credential}


SIGN_IN_FIRST = "Sign in first."
CONNECT_LATER = "The server is busy. Connect again in a moment."


@socketio.on("connect")
def on_connect(auth=None):
    """Anyone may open a socket; only a signed-in person (cookie) or a program (API
    token in `auth.token` or an Authorization header) keeps it. The credential is
    checked and the socket recorded with the joins and connects that arrive with it
    (one commit for them all); then the socket enters the rooms of its person and
    credential, by which it is cut off (realtime.cutoff)."""
    given = _credential_given(auth)  # read only: no database work outside the batch
    reply = (
        connect_in_batch(request.sid, partial(_record_connection, given))
        if given is not None
        else error_ack("not_authenticated", SIGN_IN_FIRST)
    )
    if not reply["ok"]:
        # python-socketio sends {"message": ..., "data": {...}}: a browser gets
        # err.message and err.data.code, a python-socketio client both as a dict.
        code = reply["error"]["code"]
        message = SIGN_IN_FIRST if code == "not_authenticated" else CONNECT_LATER
        raise sio_errors.ConnectionRefusedError(message, {"code": code, "message": message})
    user_id, auth_session_id, api_token_id = reply["credential"]
    enter_room(request.sid, cutoff.user_room(user_id))  # cut-offs and the unread count
    enter_room(request.sid, cutoff.credential_room(auth_session_id, api_token_id))
    broadcast.track(request.sid, auth_session_id, api_token_id)


@socketio.on("disconnect")
def on_disconnect(*_args):
    """A real disconnect (the client left, the transport closed, or a cut-off). It
    may run inside another session's commit (a cut-off sent from an after-commit
    listener), so it uses a session of its own."""
    sid = request.sid
    if socketio.server.manager.is_connected(sid, "/"):
        return  # still connected: not a disconnect (reserved.guard refuses such events)
    buckets.forget(sid)
    remember_join(sid)
    broadcast.untrack(sid)
    with own_session() as db:
        row = presence.disconnect(db, sid)
        db.commit()
    if row is not None and row.policy_id is not None:
        presence_batch.changed(broadcast.room(row.policy_id), sid, None)


@socket_event("join_policy", schemas.Join, joins=True)
def join_policy(ctx: Ctx, data: dict) -> dict:
    """Watch a policy: reply with what the client missed (ops since `since`) or a
    snapshot and the caller's rights; tell the others. Who is here follows as one
    `presence_batch` for everyone who joined the room meanwhile (presence_batch):
    listed in each reply, N joins cost N lists of up to N people, read and encoded
    one by one."""
    policy, acc = access.policy_access(ctx.db, ctx.user.id, data["policy_id"])
    clients.claim(ctx.db, data["client_id"], ctx.user.id)
    _leave_policy_rooms(ctx.sid)
    presence.enter_policy(ctx.db, ctx.sid, policy.id)
    enter_room(ctx.sid, broadcast.room(policy.id))
    enter_room(ctx.sid, cutoff.member_room(policy.group_id, ctx.user.id))
    remember_join(ctx.sid, data["client_id"], policy.id)
    reply = {
        "ok": True,
        **editing.catch_up(ctx.db, policy, data.get("since")),
        "me": {
            "user_id": ctx.user.id,
            "name": ctx.user.display_name,
            "colour": presence.colour_for(ctx.user.id),
            "sid": ctx.sid,
        },
        "rights": broadcast.rights_for(ctx.db, ctx.user.id, policy.id, acc.membership),
    }
    broadcast.joined_after_commit(ctx.db, ctx.user, ctx.sid, policy.id)
    return reply


def _leave_policy_rooms(sid: str) -> None:
    """Leave the policy (and membership) room this socket is in, if any, and the
    group it watched (realtime.group_feed): a socket is never left in a group's
    room without that group's cut-off room."""
    for name in socketio.server.rooms(sid, namespace="/"):
        if name.startswith(("policy:", "member:", "group:")):
            leave_room(sid, name)


@socket_event("leave_policy", schemas.Nothing)
def leave_policy(ctx: Ctx, _data: dict) -> dict:
    if ctx.policy_id is not None:
        _leave_policy_rooms(ctx.sid)
        remember_join(ctx.sid)
        presence_batch.changed(broadcast.room(ctx.policy_id), ctx.sid, None)
        ctx.conn.policy_id = None
        ctx.conn.section_id = ctx.conn.sentence_id = None
    return {"ok": True}


def _joined(ctx: Ctx) -> int:
    if ctx.policy_id is None:
        raise NotFound("Join a policy first (join_policy).", code="not_joined")
    return ctx.policy_id


def _in_policy(ctx: Ctx, section) -> None:
    """Ids from the client are trusted only inside the policy this socket joined."""
    if section.policy_id != _joined(ctx):
        raise NotFound("That was not found in the policy you joined.")


@socket_event("presence", schemas.Presence)
def on_presence(ctx: Ctx, data: dict) -> dict:
    """Say which section the person looks at and which sentence they edit."""
    _joined(ctx)
    section_id, sentence_id = data.get("section_id"), data.get("sentence_id")
    if sentence_id is not None:
        sentence = policies.get_sentence(ctx.db, sentence_id)
        section_id = sentence.section_id
    if section_id is not None:
        section, _ = access.section_access(ctx.db, ctx.user.id, section_id)
        _in_policy(ctx, section)
    presence.focus(ctx.db, ctx.conn, section_id=section_id, sentence_id=sentence_id)
    broadcast.presence_changed_after_commit(ctx.db, ctx.conn, ctx.user)
    return {"ok": True}


def _editable_sentence(ctx: Ctx, sentence_id: int):
    """The sentence (tombstones too: a late edit to one is answered `gone`) and its
    section, if this person may edit that section's text (one query)."""
    _joined(ctx)
    sentence, section = access.sentence_to_edit(ctx.db, ctx.user.id, sentence_id)
    _in_policy(ctx, section)
    return section, sentence


def _origin(ctx: Ctx, data: dict) -> Origin:
    return Origin(ctx.client_id, data.get("ref"))


def _ok(message: dict) -> dict:
    return {"ok": True, "seq": message.get("seq")}


@socket_event("edit_sentence", schemas.EditSentence, changes_policy=True)
def edit_sentence(ctx: Ctx, data: dict) -> dict:
    section, sentence = _editable_sentence(ctx, data["id"])
    return _ok(
        editing.edit_text(
            ctx.db,
            section,
            sentence,
            ctx.user,
            data["base_version"],
            data["patch"],
            _origin(ctx, data),
        )
    )


@socket_event("insert_sentence", schemas.InsertSentence, changes_policy=True)
def insert_sentence(ctx: Ctx, data: dict) -> dict:
    _joined(ctx)
    section, _ = access.section_access(ctx.db, ctx.user.id, data["section_id"], Action.EDIT_TEXT)
    _in_policy(ctx, section)
    return _ok(
        editing.insert_typed(
            ctx.db, section, ctx.user, data["text"], sync.Place(**data["place"]), _origin(ctx, data)
        )
    )


@socket_event("delete_sentence", schemas.DeleteSentence, changes_policy=True)
def delete_sentence(ctx: Ctx, data: dict) -> dict:
    section, sentence = _editable_sentence(ctx, data["id"])
    return _ok(
        editing.delete(
            ctx.db, section, sentence, ctx.user, data["base_version"], _origin(ctx, data)
        )
    )


@socket_event("split_sentence", schemas.SplitSentence, changes_policy=True)
def split_sentence(ctx: Ctx, data: dict) -> dict:
    section, sentence = _editable_sentence(ctx, data["id"])
    return _ok(
        editing.split(
            ctx.db,
            section,
            sentence,
            ctx.user,
            data["base_version"],
            data["offset"],
            _origin(ctx, data),
        )
    )


@socket_event("merge_sentence", schemas.MergeSentence, changes_policy=True)
def merge_sentence(ctx: Ctx, data: dict) -> dict:
    section, sentence = _editable_sentence(ctx, data["id"])
    into = editing.sentence_row(ctx.db, data["into"])
    return _ok(
        editing.merge(
            ctx.db,
            section,
            sentence,
            into,
            ctx.user,
            data["base_version"],
            data["into_base_version"],
            _origin(ctx, data),
        )
    )


@socket_event("move_sentence", schemas.MoveSentence, changes_policy=True)
def move_sentence(ctx: Ctx, data: dict) -> dict:
    section, sentence = _editable_sentence(ctx, data["id"])
    return _ok(
        editing.move(
            ctx.db, section, sentence, ctx.user, sync.Place(**data["place"]), _origin(ctx, data)
        )
    )


def _managed_section(ctx: Ctx, section_id: int):
    _joined(ctx)
    section, _ = access.section_access(ctx.db, ctx.user.id, section_id, Action.MANAGE)
    _in_policy(ctx, section)
    return section


@socket_event("insert_section", schemas.InsertSection, changes_policy=True)
def insert_section(ctx: Ctx, data: dict) -> dict:
    policy_id = _joined(ctx)
    part, _ = access.part_access(ctx.db, ctx.user.id, data["part_id"], Action.MANAGE)
    if part.policy_id != policy_id:
        raise NotFound("That part was not found in the policy you joined.")
    section = policies.create_section(
        ctx.db,
        part,
        ctx.user,
        title=data["title"],
        subgroup_id=data["subgroup_id"],
        kind=data["kind"],
        text=data["text"],
        place=sync.Place(**data["place"]),
        origin=_origin(ctx, data),
    )
    return {"ok": True, "seq": oplog.current_seq(ctx.db, part.policy_id), "id": section.id}


@socket_event("delete_section", schemas.DeleteSection, changes_policy=True)
def delete_section(ctx: Ctx, data: dict) -> dict:
    section = _managed_section(ctx, data["id"])
    return _ok(policies.delete_section(ctx.db, section, ctx.user, _origin(ctx, data)))


@socket_event("move_section", schemas.MoveSection, changes_policy=True)
def move_section(ctx: Ctx, data: dict) -> dict:
    section = _managed_section(ctx, data["id"])
    return _ok(
        policies.move_section(
            ctx.db, section, ctx.user, sync.Place(**data["place"]), _origin(ctx, data)
        )
    )
