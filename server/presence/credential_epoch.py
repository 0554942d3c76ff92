"""A counter that moves whenever a live socket's credential may have ended.

Every live edit used to read its socket's credential afresh (one query per edit:
the sign-in or API token, the account). The batch writer now keeps each socket's
last check and reads this counter once per batch instead: a socket's check is used
again only while the counter has not moved and the sign-in cannot have gone idle
or expired meanwhile (realtime.boundary).

The counter is moved in the same transaction as the change, by whichever process
or command makes it, so a change committed before a batch starts is seen by that
batch: the 204 of a revocation cannot reach the client before the next edit's
batch knows of it, and no message between processes can be lost or late. It moves
when an account, a sign-in or an API token changes (a sign-in's `last_seen_at` and
a token's `last_used_at` alone do not: they only extend), and when a connection
row goes. Edit rights (group and sub-group membership, section owners) are not
kept: they are read with the sentence itself on every edit (access.sentence_to_edit).
"""

from __future__ import annotations

from sqlalchemy import event, inspect, select, update
from sqlalchemy.orm import Session

from server import driver_sql
from server.accounts.models import ApiToken, AuthSession, User
from server.presence.models import Connection, CredentialEpoch

WATCHED = (User, AuthSession, ApiToken)
# Columns that only extend a credential: a change to these alone moves nothing.
EXTENDING = frozenset({"last_seen_at", "last_used_at"})


_EPOCH = CredentialEpoch.__table__
# Every batch reads it: run on the driver (server.driver_sql).
_CURRENT = driver_sql.Statement(select(_EPOCH.c.value).where(_EPOCH.c.id == 1))


def current(db: Session) -> int:
    return _CURRENT.scalar(db, {}) or 0


def bump(db: Session) -> None:
    """Move the counter (for a bulk statement that no flush sees)."""
    db.connection().execute(update(_EPOCH).where(_EPOCH.c.id == 1).values(value=_EPOCH.c.value + 1))


def _may_end_credential(obj) -> bool:
    if not isinstance(obj, WATCHED):
        return False
    state = inspect(obj)
    changed = {a.key for a in state.attrs if a.history.has_changes()}
    return bool(changed - EXTENDING)


@event.listens_for(Session, "before_flush")
def _on_flush(db: Session, _context, _instances) -> None:
    deleted = any(isinstance(o, (*WATCHED, Connection)) for o in db.deleted)
    if deleted or any(_may_end_credential(o) for o in db.dirty):
        bump(db)
