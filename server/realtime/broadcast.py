"""What goes out to sockets after a commit: ops, presence, and cutting off sockets
whose person lost access. Subscribed to domain events (server.events), so a change
made over HTTP reaches live clients exactly like one made over a socket."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import events
from server.accounts.models import User
from server.extensions import socketio
from server.permissions import Action, allows, editable, membership_of
from server.policies.models import Policy, Section
from server.policies.oplog import PolicyChanged
from server.presence import services as presence
from server.presence.models import Connection

log = logging.getLogger(__name__)
HOUSEKEEPING_SECONDS = 30
CREDENTIAL_CHECK_SECONDS = 5
_local_sids: set[str] = set()  # sockets connected to this process


def room(policy_id: int) -> str:
    return f"policy:{policy_id}"


def track(sid: str) -> None:
    _local_sids.add(sid)


def untrack(sid: str) -> None:
    _local_sids.discard(sid)


@dataclass(frozen=True)
class PresenceChanged:
    policy_id: int
    present: dict


def presence_changed_after_commit(db: Session, conn: Connection, user: User) -> None:
    if conn.policy_id is None:
        return
    present = presence.Present(
        conn.sid,
        user.id,
        user.display_name,
        presence.colour_for(user.id),
        conn.section_id,
        conn.sentence_id,
    )
    events.publish(db, PresenceChanged(conn.policy_id, present.as_dict()))


def _fresh_session() -> Session | None:
    """A session of its own: listeners run inside another session's commit."""
    if not has_app_context():
        return None  # e.g. `codraft demo`: no sockets in this process
    return Session(bind=current_app.extensions["codraft_db"].engine)


def _on_op(evt: PolicyChanged) -> None:
    if has_app_context():
        socketio.emit("op", evt.message, to=room(evt.policy_id))


def _on_presence(evt: PresenceChanged) -> None:
    if has_app_context():
        socketio.emit("presence", evt.present, to=room(evt.policy_id))


def _cut_off(rows: list[Connection], reason: str) -> None:
    for row in rows:
        socketio.emit("access_revoked", {"reason": reason}, to=row.sid)
        socketio.server.disconnect(row.sid, namespace="/")


def _group_policy_ids(db: Session, group_id: int) -> list[int]:
    return list(db.scalars(select(Policy.id).where(Policy.group_id == group_id)))


def _on_sign_in_ended(evt: events.SignInEnded) -> None:
    db = _fresh_session()
    if db is None:
        return
    with db:
        if evt.auth_session_id is not None:
            rows = presence.sids_for(db, auth_session_id=evt.auth_session_id)
        else:
            rows = presence.sids_for(db, user_id=evt.user_id)
        _cut_off(rows, "signed_out")


def _on_token_revoked(evt: events.ApiTokenRevoked) -> None:
    db = _fresh_session()
    if db is None:
        return
    with db:
        _cut_off(presence.sids_for(db, api_token_id=evt.api_token_id), "token_revoked")


def _on_membership_ended(evt: events.MembershipEnded) -> None:
    db = _fresh_session()
    if db is None:
        return
    with db:
        rows = presence.sids_for(
            db, user_id=evt.user_id, group_policy_ids=_group_policy_ids(db, evt.group_id)
        )
        _cut_off(rows, "removed_from_group")


def rights_for(db: Session, user_id: int, policy_id: int) -> dict | None:
    policy = db.get(Policy, policy_id)
    membership = membership_of(db, user_id, policy.group_id) if policy else None
    if membership is None:
        return None
    sections = db.execute(
        select(Section.id, Section.subgroup_id).where(
            Section.policy_id == policy_id, Section.deleted_at.is_(None)
        )
    )
    return {
        "can_edit": editable(db, membership, list(sections)),
        "can_manage": allows(db, membership, Action.MANAGE),
    }


def _on_rights_changed(evt: events.EditRightsChanged) -> None:
    """Tell each affected socket what it may edit now (each event checks again anyway)."""
    db = _fresh_session()
    if db is None:
        return
    with db:
        rows = presence.sids_for(
            db, user_id=evt.user_id, group_policy_ids=_group_policy_ids(db, evt.group_id)
        )
        for row in rows:
            rights = rights_for(db, row.user_id, row.policy_id)
            if rights is not None:
                socketio.emit("rights", rights, to=row.sid)


def subscribe_all() -> None:
    events.subscribe(PolicyChanged, _on_op)
    events.subscribe(PresenceChanged, _on_presence)
    events.subscribe(events.SignInEnded, _on_sign_in_ended)
    events.subscribe(events.ApiTokenRevoked, _on_token_revoked)
    events.subscribe(events.MembershipEnded, _on_membership_ended)
    events.subscribe(events.EditRightsChanged, _on_rights_changed)


def start_housekeeping(app) -> None:
    """Every 5 s cut off sockets whose credential ended without an event reaching this
    process (e.g. an account disabled from the command line); every 30 s mark this
    process's sockets alive and forget those of processes that died."""
    if app.config.get("TESTING") or app.extensions.get("codraft_housekeeping"):
        return
    app.extensions["codraft_housekeeping"] = True

    def loop():
        ticks = 0
        while True:
            socketio.sleep(CREDENTIAL_CHECK_SECONDS)
            ticks += 1
            database = app.extensions["codraft_db"]
            try:
                with app.app_context():
                    db = database.session
                    _cut_off(
                        presence.ended_credentials(
                            db, sorted(_local_sids), app.config["SESSION_IDLE"]
                        ),
                        "signed_out",
                    )
                    if ticks % (HOUSEKEEPING_SECONDS // CREDENTIAL_CHECK_SECONDS) == 0:
                        presence.refresh(db, sorted(_local_sids))
                        presence.sweep(db)
                    database.commit()
            except Exception:
                log.exception("presence housekeeping failed")
            finally:
                database.remove()

    socketio.start_background_task(loop)
