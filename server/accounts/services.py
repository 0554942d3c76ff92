"""Account rules: sign-in, sessions, API tokens, password resets. No Flask here."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from server.accounts.models import (
    DISPLAY_NAME_CHARS,
    TOKEN_NAME_CHARS,
    ApiToken,
    AuthSession,
    PasswordReset,
    User,
)
from server.accounts.passwords import hash_password, verify_password
from server.accounts.tokens import digest, new_secret
from server.db import utcnow
from server.errors import Conflict, Gone, InvalidInput, NotAuthenticated, NotFound
from server.events import ApiTokenRevoked, PublicPagesChanged, SignInEnded, publish
from server.text.clean import clean_email, clean_name

API_TOKEN_PREFIX = "cdt_"  # noqa: S105 (a label, not a secret)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SIGN_IN_FAILED = "That email and password do not match an account. Check both and try again."


def valid_email(raw: str) -> str:
    email = clean_email(raw or "")
    if not _EMAIL.match(email) or len(email) > 254:
        raise InvalidInput(
            "Enter an email address like name@example.org.",
            fields={"email": ["Not a valid email address."]},
        )
    return email


def valid_name(raw: str, field: str = "display_name", limit: int = DISPLAY_NAME_CHARS) -> str:
    """A name or title as shown in lists, cleaned by the one rule (`clean_name`)."""
    name = clean_name(raw or "")
    if not name:
        raise InvalidInput("Enter a name.", fields={field: ["Required."]})
    if len(name) > limit:
        raise InvalidInput(
            f"Use at most {limit} characters.", fields={field: [f"At most {limit} characters."]}
        )
    return name


def users_by_id(db: Session, ids) -> dict[int, User]:
    """The people these ids name (None and unknown ids left out), in one query."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))}


def user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(User.email == clean_email(email)))


def create_user(db: Session, email: str, display_name: str, password: str | None) -> User:
    email = valid_email(email)
    name = valid_name(display_name)
    if user_by_email(db, email):
        raise Conflict(
            "An account with that email already exists.", fields={"email": ["Already registered."]}
        )
    user = User(
        email=email, display_name=name, password_hash=hash_password(password) if password else None
    )
    db.add(user)
    db.flush()
    return user


def authenticate(db: Session, email: str, password: str) -> User:
    """Return the user, or raise one message that does not say which part was wrong."""
    user = user_by_email(db, email or "")
    ok = verify_password(user.password_hash if user else None, password or "")
    if not ok or user is None or not user.is_active:
        raise NotAuthenticated(SIGN_IN_FAILED, code="sign_in_failed")
    return user


def set_password(db: Session, user: User, password: str) -> None:
    """Change the password and end every existing sign-in of that person: browser
    sessions and API tokens alike, since either may be what a stolen password bought."""
    user.password_hash = hash_password(password)
    revoke_all_sessions(db, user.id)
    revoke_all_api_tokens(db, user.id)


def change_password(db: Session, user: User, current: str, new: str) -> None:
    """Change one's own password, which takes the current one: a browser left signed
    in, or a copied token, must not be enough to lock the owner out. Every sign-in
    ends, as with any new password (set_password); the caller signs this browser in
    again. A wrong current password changes nothing."""
    if not verify_password(user.password_hash, current or ""):
        raise InvalidInput(
            "Your current password is not right.",
            fields={"current_password": ["Not your current password."]},
        )
    set_password(db, user, new)


def rename(db: Session, user: User, name: str) -> User:
    """The name others see (lists, comments, mentions, published credits)."""
    user.display_name = valid_name(name)
    db.flush()
    publish(db, PublicPagesChanged())  # published credits name people who agree
    return user


# --- browser sessions -------------------------------------------------------------


def start_session(
    db: Session, user: User, lifetime: timedelta, user_agent: str = ""
) -> tuple[str, AuthSession]:
    token, token_hash = new_secret()
    now = utcnow()
    row = AuthSession(
        user_id=user.id,
        token_hash=token_hash,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
        user_agent=(user_agent or "")[:200],
    )
    db.add(row)
    db.flush()
    return token, row


def session_user(db: Session, token: str, idle: timedelta) -> tuple[AuthSession, User] | None:
    """Return the live session and its user, or None if it ended, expired or went idle.
    last_seen is written at most once a minute to keep reads cheap."""
    row = db.scalar(select(AuthSession).where(AuthSession.token_hash == digest(token)))
    now = utcnow()
    if row is None or not _session_live(
        row.revoked_at, row.expires_at, row.last_seen_at, row.user.is_active, idle, now
    ):
        return None
    if _use_due(row.last_seen_at, now):
        row.last_seen_at = now
    return row, row.user


def session_owner(db: Session, token: str, idle: timedelta) -> tuple[int, int] | None:
    """`session_user` for a socket's connect, which needs only the ids: (sign-in id,
    user id), or None. The same rule and the same last-seen write, read as plain
    columns by one statement built once: loading ORM objects cost most of a crowd's
    connects (docs/performance.md)."""
    row = db.execute(_SESSION_OWNER, {"token_hash": digest(token)}).first()
    now = utcnow()
    if row is None or not _session_live(
        row.revoked_at, row.expires_at, row.last_seen_at, row.is_active, idle, now
    ):
        return None
    if _use_due(row.last_seen_at, now):
        db.execute(_SESSION_SEEN, {"at_id": row.id, "now": now})
    return row.id, row.user_id


def _session_live(revoked_at, expires_at, last_seen_at, is_active: bool, idle, now) -> bool:
    """A sign-in holds until signed out, expired or idle, while its account is enabled."""
    return revoked_at is None and expires_at > now and last_seen_at + idle > now and is_active


def _use_due(last_used: datetime | None, now: datetime) -> bool:
    """A credential's last use is written at most once a minute (reads stay reads)."""
    return last_used is None or now - last_used > timedelta(minutes=1)


def credential_valid(
    user: User, auth_session: AuthSession | None, api_token: ApiToken | None, idle: timedelta
) -> bool:
    """Whether a live socket's credential still holds: not signed out, expired, idle
    or revoked, and the account not disabled."""
    return user.is_active and credential_valid_until(auth_session, api_token, idle) > utcnow()


def credential_valid_until(
    auth_session: AuthSession | None, api_token: ApiToken | None, idle: timedelta
) -> datetime:
    """When a credential stops being valid by time alone, as read now: a sign-in
    expires or goes idle (later use can extend it); a token lasts until revoked."""
    if auth_session is not None:
        if auth_session.revoked_at is not None:
            return datetime.min.replace(tzinfo=UTC)
        return min(auth_session.expires_at, auth_session.last_seen_at + idle)
    if api_token is None or api_token.revoked_at is not None:
        return datetime.min.replace(tzinfo=UTC)
    return datetime.max.replace(tzinfo=UTC)


def credential_user(
    db: Session, *, auth_session_id: int | None, api_token_id: int | None, idle: timedelta
) -> User | None:
    """The user behind a credential, or None once it stops being valid."""
    row = (
        db.get(AuthSession, auth_session_id)
        if auth_session_id is not None
        else db.get(ApiToken, api_token_id)
        if api_token_id is not None
        else None
    )
    if row is None:
        return None
    session_row = row if isinstance(row, AuthSession) else None
    token_row = row if isinstance(row, ApiToken) else None
    return row.user if credential_valid(row.user, session_row, token_row, idle) else None


def end_session(db: Session, token: str) -> None:
    row = db.scalar(
        select(AuthSession).where(
            AuthSession.token_hash == digest(token), AuthSession.revoked_at.is_(None)
        )
    )
    if row is not None:
        row.revoked_at = utcnow()
        publish(db, SignInEnded(auth_session_id=row.id))


def revoke_all_sessions(db: Session, user_id: int) -> None:
    # Row by row, not one UPDATE: the flush then moves the credential epoch
    # (presence.credential_epoch), which live sockets' kept checks rely on.
    now = utcnow()
    for row in db.scalars(
        select(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
    ):
        row.revoked_at = now
    db.flush()
    publish(db, SignInEnded(user_id=user_id))


def set_active(db: Session, user: User, active: bool) -> None:
    """Disable or re-enable an account; disabling ends its sign-ins and tokens' use."""
    user.is_active = active
    if not active:
        revoke_all_sessions(db, user.id)


# --- API tokens -------------------------------------------------------------------


def create_api_token(db: Session, user: User, name: str) -> tuple[str, ApiToken]:
    name = valid_name(name, "name", TOKEN_NAME_CHARS)
    token, token_hash = new_secret(API_TOKEN_PREFIX)
    row = ApiToken(user_id=user.id, name=name, token_hash=token_hash, prefix=token[:10])
    db.add(row)
    db.flush()
    return token, row


def api_token_user(db: Session, token: str) -> tuple[ApiToken, User] | None:
    """The live token and its person (one query: the person is needed to decide)."""
    row = db.scalar(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == digest(token))
    )
    if row is None or not _token_live(row.revoked_at, row.user.is_active):
        return None
    now = utcnow()
    if _use_due(row.last_used_at, now):
        row.last_used_at = now
    return row, row.user


def api_token_owner(db: Session, token: str) -> tuple[int, int] | None:
    """`api_token_user` for a socket's connect: (token id, user id), or None. The same
    rule and last-used write, in plain columns (see `session_owner`)."""
    row = db.execute(_TOKEN_OWNER, {"token_hash": digest(token)}).first()
    if row is None or not _token_live(row.revoked_at, row.is_active):
        return None
    now = utcnow()
    if _use_due(row.last_used_at, now):
        db.execute(_TOKEN_USED, {"at_id": row.id, "now": now})
    return row.id, row.user_id


def _token_live(revoked_at, is_active: bool) -> bool:
    """A token holds until revoked, while its account is enabled."""
    return revoked_at is None and is_active


# Built once: building a statement cost about as much as running it. Last use is
# written by Core UPDATEs: it only extends a credential, so no flush need see it
# (presence.credential_epoch).
def _last_use(column):
    table = column.class_.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("at_id"))
        .values({column.key: bindparam("now", type_=column.type)})
    )


_SESSION_OWNER = (
    select(
        AuthSession.id,
        AuthSession.user_id,
        AuthSession.revoked_at,
        AuthSession.expires_at,
        AuthSession.last_seen_at,
        User.is_active,
    )
    .join(User, User.id == AuthSession.user_id)
    .where(AuthSession.token_hash == bindparam("token_hash"))
)
_TOKEN_OWNER = (
    select(
        ApiToken.id, ApiToken.user_id, ApiToken.revoked_at, ApiToken.last_used_at, User.is_active
    )
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)
_SESSION_SEEN = _last_use(AuthSession.last_seen_at)
_TOKEN_USED = _last_use(ApiToken.last_used_at)


def revoke_all_api_tokens(db: Session, user_id: int) -> None:
    """Revoke every working API token of a person; each revocation is announced, so
    sockets signed in with one are cut off as when it is revoked by hand."""
    rows = db.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ).all()
    now = utcnow()
    for row in rows:
        row.revoked_at = now
        publish(db, ApiTokenRevoked(row.id))


def list_api_tokens(db: Session, user: User) -> list[ApiToken]:
    return list(
        db.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at)
        )
    )


def revoke_api_token(db: Session, user: User, token_id: int) -> None:
    row = db.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        raise NotFound("That token was not found.")
    row.revoked_at = utcnow()
    publish(db, ApiTokenRevoked(row.id))


# --- password resets ---------------------------------------------------------------


def create_password_reset(
    db: Session, user: User, created_by: User, lifetime: timedelta
) -> tuple[str, PasswordReset]:
    """Make a single-use link; any earlier unused link for the same person stops working."""
    now = utcnow()
    db.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    token, token_hash = new_secret()
    row = PasswordReset(
        user_id=user.id,
        token_hash=token_hash,
        created_by_id=created_by.id,
        created_at=now,
        expires_at=now + lifetime,
    )
    db.add(row)
    db.flush()
    return token, row


def live_password_reset(db: Session, token: str) -> PasswordReset:
    row = db.scalar(select(PasswordReset).where(PasswordReset.token_hash == digest(token or "")))
    if row is None:
        raise NotFound("That password reset link is not valid. Ask a facilitator for a new one.")
    if row.used_at is not None or row.expires_at <= utcnow():
        raise Gone(
            "That password reset link has expired or was used already. "
            "Ask a facilitator for a new one."
        )
    return row


def use_password_reset(db: Session, token: str, password: str) -> User:
    row = live_password_reset(db, token)
    set_password(db, row.user, password)
    row.used_at = utcnow()
    return row.user


def set_credit_by_name(db: Session, user: User, named: bool) -> User:
    """Whether published policies name this person in their credits (off by default;
    their role is counted either way)."""
    user.credit_by_name = bool(named)
    db.flush()
    publish(db, PublicPagesChanged())  # public pages show the names of people who agree
    return user


def set_suggestions_inline(db: Session, user: User, inline: bool) -> User:
    """Whether this person's section pages show open suggestions inside the text as
    a word diff (track changes), as well as in the margin. Off by default."""
    user.suggestions_inline = bool(inline)
    db.flush()
    return user
