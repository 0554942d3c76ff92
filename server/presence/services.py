"""Presence rules: record connections, what each looks at, and who is here. No sockets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session, joinedload

from server.accounts.models import ApiToken, AuthSession, User
from server.accounts.services import credential_valid, credential_valid_until
from server.db import utcnow
from server.presence import credential_epoch
from server.presence.models import Connection

STALE_AFTER = timedelta(seconds=90)  # a process refreshes its rows every 30 s
# Distinct, AA-contrast colours on white; a person keeps theirs everywhere.
PALETTE = [
    "#1d4ed8",
    "#b91c1c",
    "#047857",
    "#7e22ce",
    "#b45309",
    "#0f766e",
    "#be185d",
    "#4d7c0f",
    "#1e40af",
    "#9f1239",
]


def colour_for(user_id: int) -> str:
    return PALETTE[user_id % len(PALETTE)]


@dataclass(frozen=True)
class Present:
    sid: str
    user_id: int
    name: str
    colour: str
    section_id: int | None
    sentence_id: int | None

    def as_dict(self) -> dict:
        return {
            "sid": self.sid,
            "user_id": self.user_id,
            "name": self.name,
            "colour": self.colour,
            "section_id": self.section_id,
            "sentence_id": self.sentence_id,
        }


def connect(
    db: Session, sid: str, user_id: int, *, auth_session_id: int | None, api_token_id: int | None
) -> None:
    """Record a new socket (its id is new: one INSERT, no read, no ORM object)."""
    now = utcnow()
    db.execute(
        _CONNECT,
        {
            "sid": sid,
            "user_id": user_id,
            "auth_session_id": auth_session_id,
            "api_token_id": api_token_id,
            "connected_at": now,
            "seen_at": now,
        },
    )


# Built once (building them cost as much as running them); Core, no ORM objects.
_CONNECT = insert(Connection.__table__)
_ENTER = (
    update(Connection.__table__)
    .where(Connection.__table__.c.sid == bindparam("at_sid"))
    .values(
        policy_id=bindparam("to_policy"),
        section_id=None,
        sentence_id=None,
        seen_at=bindparam("now", type_=Connection.__table__.c.seen_at.type),
    )
)


def get(db: Session, sid: str) -> Connection | None:
    return db.get(Connection, sid)


# Built once: it runs on every socket event, and building it cost as much as running it.
_LIVE = (
    select(User, Connection.policy_id, AuthSession, ApiToken)
    .join(User, User.id == Connection.user_id)
    .outerjoin(AuthSession, AuthSession.id == Connection.auth_session_id)
    .outerjoin(ApiToken, ApiToken.id == Connection.api_token_id)
    .where(Connection.sid == bindparam("sid"))
)


def live_user(db: Session, sid: str, idle: timedelta) -> tuple[User, int | None] | None:
    found = live_user_until(db, sid, idle)
    return found[:2] if found is not None else None


def live_user_until(
    db: Session, sid: str, idle: timedelta
) -> tuple[User, int | None, datetime] | None:
    """The person on this socket and the policy it joined, in one query, or None if
    the connection is gone or its credential has ended.

    It runs on every socket event, and it reads the credential's rows afresh rather
    than trusting a copy kept by the process: a sign-out, a revoked token or a
    disabled account then takes effect on the very next event whichever process or
    command made the change, with no invalidation message that could be lost or
    arrive late. The Connection row itself is not loaded (see `get`)."""
    row = db.execute(_LIVE, {"sid": sid}).first()
    if row is None:
        return None
    user, policy_id, auth_session, api_token = row
    if not credential_valid(user, auth_session, api_token, idle):
        return None
    return user, policy_id, credential_valid_until(auth_session, api_token, idle)


def disconnect(db: Session, sid: str) -> Connection | None:
    row = db.get(Connection, sid)
    if row is not None:
        db.delete(row)
        db.flush()
    return row


def focus(
    db: Session,
    row: Connection,
    *,
    policy_id: int | None = None,
    section_id: int | None = None,
    sentence_id: int | None = None,
) -> None:
    if policy_id is not None:
        row.policy_id = policy_id
    row.section_id = section_id
    row.sentence_id = sentence_id
    row.seen_at = utcnow()
    db.flush()


def enter_policy(db: Session, sid: str, policy_id: int) -> None:
    """The socket now watches this policy, looking at nothing in it yet (one UPDATE,
    the row not loaded: a join's part of a batch of hundreds)."""
    db.execute(_ENTER, {"at_sid": sid, "to_policy": policy_id, "now": utcnow()})


def in_policy(db: Session, policy_id: int) -> list[Present]:
    """Everyone present in a policy, in the order they connected. Plain columns, no
    ORM objects: it is read once per batch of joiners and lists hundreds."""
    rows = db.execute(
        select(
            Connection.sid,
            Connection.user_id,
            User.display_name,
            Connection.section_id,
            Connection.sentence_id,
        )
        .join(User, User.id == Connection.user_id)
        .where(Connection.policy_id == policy_id, Connection.seen_at > utcnow() - STALE_AFTER)
        .order_by(Connection.connected_at)
    )
    return [
        Present(sid, user_id, name, colour_for(user_id), section_id, sentence_id)
        for sid, user_id, name, section_id, sentence_id in rows
    ]


def sids_for(
    db: Session,
    *,
    user_id: int | None = None,
    auth_session_id: int | None = None,
    api_token_id: int | None = None,
    group_policy_ids: list[int] | None = None,
) -> list:
    """Connections to cut off or tell when someone's access changes."""
    query = select(Connection)
    if user_id is not None:
        query = query.where(Connection.user_id == user_id)
    if auth_session_id is not None:
        query = query.where(Connection.auth_session_id == auth_session_id)
    if api_token_id is not None:
        query = query.where(Connection.api_token_id == api_token_id)
    if group_policy_ids is not None:
        query = query.where(Connection.policy_id.in_(group_policy_ids))
    return list(db.scalars(query))


def ended_credentials(
    db: Session, credentials: set[tuple[int | None, int | None]], idle: timedelta
) -> list[tuple[tuple[int | None, int | None], bool]]:
    """Which of these credentials ((auth session id, api token id) pairs, as the
    sockets of one process connected with them) stopped being valid by a route
    that told no one (an account disabled from the command line, expiry), each
    with whether it was a token that got revoked (rather than a sign-in that ended
    or an account disabled). Two queries, however many sockets."""
    session_ids = {a for a, _t in credentials if a is not None}
    token_ids = {t for a, t in credentials if a is None and t is not None}
    sessions = {
        row.id: row
        for row in (
            db.scalars(
                select(AuthSession)
                .options(joinedload(AuthSession.user))
                .where(AuthSession.id.in_(session_ids))
            )
            if session_ids
            else ()
        )
    }
    tokens = {
        row.id: row
        for row in (
            db.scalars(
                select(ApiToken)
                .options(joinedload(ApiToken.user))
                .where(ApiToken.id.in_(token_ids))
            )
            if token_ids
            else ()
        )
    }
    ended = []
    for credential in sorted(credentials, key=repr):
        auth_session_id, api_token_id = credential
        if auth_session_id is not None:
            row = sessions.get(auth_session_id)
            if row is None or not credential_valid(row.user, row, None, idle):
                ended.append((credential, False))
        else:
            token = tokens.get(api_token_id)
            if token is None or not credential_valid(token.user, None, token, idle):
                ended.append((credential, token is None or token.revoked_at is not None))
    return ended


def refresh(db: Session, sids: list[str]) -> None:
    """Mark this process's connections alive (called every 30 s)."""
    if sids:
        db.execute(update(Connection).where(Connection.sid.in_(sids)).values(seen_at=utcnow()))


def sweep(db: Session) -> int:
    """Forget connections whose process stopped refreshing them."""
    result = db.execute(delete(Connection).where(Connection.seen_at <= utcnow() - STALE_AFTER))
    if result.rowcount:
        credential_epoch.bump(db)  # a bulk delete: no flush sees it
    return result.rowcount or 0
