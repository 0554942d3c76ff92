"""What goes out to sockets after a commit: ops, presence, and cutting off sockets
whose person lost access. Subscribed to domain events (server.events), so a change
made over HTTP reaches live clients exactly like one made over a socket."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from flask import current_app, has_app_context
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from server import events
from server.accounts.models import User
from server.extensions import socketio
from server.groups.models import Membership
from server.permissions import Action, allows, editable, membership_of
from server.policies.models import Policy, Section
from server.policies.oplog import PolicyChanged
from server.presence import services as presence
from server.presence.models import Connection
from server.realtime import cutoff, presence_batch

# Sockets connected to this process and the credential each connected with:
# (auth session id, api token id), one of them None.
_local: dict[str, tuple[int | None, int | None]] = {}


def room(policy_id: int) -> str:
    return f"policy:{policy_id}"


def track(sid: str, auth_session_id: int | None, api_token_id: int | None) -> None:
    _local[sid] = (auth_session_id, api_token_id)


def untrack(sid: str) -> None:
    _local.pop(sid, None)


def local_sids() -> list[str]:
    """This process's sockets (the presence job marks them alive: server/jobs.py)."""
    return sorted(_local)


@dataclass(frozen=True)
class PresenceChanged:
    policy_id: int
    present: dict
    joined: bool = False  # the socket just joined: it is sent who is here


def presence_changed_after_commit(db: Session, conn: Connection, user: User) -> None:
    if conn.policy_id is not None:
        _publish(db, user, conn.sid, conn.policy_id, conn.section_id, conn.sentence_id)


def joined_after_commit(db: Session, user: User, sid: str, policy_id: int) -> None:
    """Tell the room someone joined, and them who is here (presence_batch.welcome)."""
    _publish(db, user, sid, policy_id, None, None, joined=True)


def _publish(
    db: Session,
    user: User,
    sid: str,
    policy_id: int,
    section_id: int | None,
    sentence_id: int | None,
    *,
    joined: bool = False,
) -> None:
    present = presence.Present(
        sid, user.id, user.display_name, presence.colour_for(user.id), section_id, sentence_id
    )
    events.publish(db, PresenceChanged(policy_id, present.as_dict(), joined))


def _fresh_session() -> Session | None:
    """A session of its own: listeners run inside another session's commit."""
    if not has_app_context():
        return None  # e.g. `codraft demo`: no sockets in this process
    return Session(bind=current_app.extensions["codraft_db"].engine)


def _on_op(evt: PolicyChanged) -> None:
    if has_app_context():
        socketio.emit("op", evt.message, to=room(evt.policy_id))


def _on_presence(evt: PresenceChanged) -> None:
    if not has_app_context():
        return
    sid = evt.present["sid"]
    presence_batch.changed(room(evt.policy_id), sid, evt.present)
    if evt.joined:
        engine = current_app.extensions["codraft_db"].engine
        presence_batch.welcome(room(evt.policy_id), sid, partial(_everyone, engine, evt.policy_id))


def _everyone(engine, policy_id: int) -> list[dict]:
    """Who is in a policy now, every process's sockets (read by presence_batch)."""
    with Session(bind=engine) as db:
        return [p.as_dict() for p in presence.in_policy(db, policy_id)]


def cut_off(room_name: str, reason: str) -> None:
    """Tell the sockets in a credential or membership room why, and disconnect them,
    in every process (realtime.cutoff). Finding them needs no database row."""
    if socketio.server is not None:  # also from a command: through the queue, if any
        socketio.emit(cutoff.ACCESS_REVOKED, {"reason": reason}, to=room_name)


def _group_policy_ids(db: Session, group_id: int) -> list[int]:
    return list(db.scalars(select(Policy.id).where(Policy.group_id == group_id)))


def _on_sign_in_ended(evt: events.SignInEnded) -> None:
    """A sign-out ends that sign-in's sockets; a password change or a disabled
    account (no `auth_session_id`) ends every socket of the person."""
    if evt.auth_session_id is not None:
        cut_off(cutoff.credential_room(evt.auth_session_id, None), "signed_out")
    elif evt.user_id is not None:
        cut_off(cutoff.user_room(evt.user_id), "signed_out")


def _on_token_revoked(evt: events.ApiTokenRevoked) -> None:
    cut_off(cutoff.credential_room(None, evt.api_token_id), "token_revoked")


def _on_membership_ended(evt: events.MembershipEnded) -> None:
    cut_off(cutoff.member_room(evt.group_id, evt.user_id), "removed_from_group")


def rights_for(
    db: Session, user_id: int, policy_id: int, membership: Membership | None = None
) -> dict | None:
    """What this person may do in the policy (`membership`: theirs of its group, if
    the caller has just read it)."""
    if membership is None:
        policy = db.get(Policy, policy_id)
        membership = membership_of(db, user_id, policy.group_id) if policy else None
    if membership is None:
        return None
    sections = db.execute(_LIVE_SECTIONS, {"policy_id": policy_id})
    return {
        "can_edit": editable(db, membership, list(sections)),
        "can_manage": allows(db, membership, Action.MANAGE),
    }


# Built once: a crowd's joins run it once each.
_LIVE_SECTIONS = select(Section.id, Section.subgroup_id).where(
    Section.policy_id == bindparam("policy_id"), Section.deleted_at.is_(None)
)


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


def check_credentials(db: Session, idle) -> int:
    """Cut off this process's sockets whose credential ended by a route that sent no
    event here (an account disabled from the command line with no message queue,
    expiry, going idle). Returns how many credentials were cut off. Run every 5 s
    in each serving process (server/jobs.py, PROCESS_JOBS)."""
    ended = presence.ended_credentials(db, set(_local.values()), idle)
    for (auth_session_id, api_token_id), token_revoked in ended:
        reason = "token_revoked" if token_revoked else "signed_out"
        cut_off(cutoff.credential_room(auth_session_id, api_token_id), reason)
    return len(ended)
