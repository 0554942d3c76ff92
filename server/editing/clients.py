"""Client ids and idempotent requests.

A live client names itself with a `client_id` at `join_policy`; the first person
to use an id owns it, and nobody else can join with it, so an op's `origin` (the
sender's client id) cannot be forged by another person. A request that changes a
policy and carries a `ref` is remembered with its reply, in the same transaction
as the change: the same (client id, ref) sent again, typically after a
reconnect when the client did not hear the ack, is answered with the original
reply (the original `seq`) and applied no second time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import bindparam, delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server import driver_sql
from server.db import utcnow
from server.editing.models import Client, ClientRequest
from server.errors import InvalidInput

# A resend comes seconds or minutes after the first try; a day is plenty.
KEEP_REQUESTS = timedelta(days=1)
# A page or program that has not joined for this long gives its id up.
KEEP_CLIENTS = timedelta(days=30)


def claim(db: Session, client_id: str, user_id: int) -> None:
    """Bind `client_id` to this person, or refuse it if it is someone else's.

    One statement (it runs for every join, hundreds in one batch): insert the id, or
    if it is there already and this person's, note it was seen; RETURNING says
    whether either happened. Two claims at once are ordered by the unique key, so
    an id never ends up with two owners."""
    stmt = _claim_statement(db.get_bind().dialect.name)
    if db.execute(stmt, {"id": client_id, "user_id": user_id, "seen_at": utcnow()}).first() is None:
        raise InvalidInput(
            "That client id is already used by someone else.",
            fields={"client_id": ["Already used by someone else: choose a new random id."]},
        )


@lru_cache(maxsize=2)
def _claim_statement(dialect_name: str):
    """Built once per dialect: building it (`excluded` makes a table alias) cost more
    than running it."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = Client.__table__
    stmt = dialect.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={"seen_at": stmt.excluded.seen_at},
        where=table.c.user_id == stmt.excluded.user_id,
    ).returning(table.c.user_id)


# On the table, not the mapped class: run for every batch of live changes, and an
# ORM-enabled statement costs several times the same Core one on every execution.
_REQUESTS = ClientRequest.__table__
_REPLIES = select(_REQUESTS.c.client_id, _REQUESTS.c.ref, _REQUESTS.c.reply)
_DONE = _REPLIES.where(
    tuple_(_REQUESTS.c.client_id, _REQUESTS.c.ref).in_(bindparam("asked", expanding=True))
)
# A batch usually holds one request: an IN list is rendered afresh on every
# execution, a plain comparison is compiled once.
_DONE_ONE = _REPLIES.where(
    _REQUESTS.c.client_id == bindparam("client_id"), _REQUESTS.c.ref == bindparam("ref")
)
# Every batch of changes with a ref writes it: on the driver (server.driver_sql).
_REMEMBER = driver_sql.Statement(
    _REQUESTS.insert(), keys=("client_id", "ref", "reply", "created_at")
)


class AlreadyDone(Exception):
    """A change refused when carried out again was done before: answer with the
    reply it got then (raised out of its savepoint, so nothing of the try is kept)."""

    def __init__(self, reply: dict):
        super().__init__("already carried out")
        self.reply = reply


class BatchRequests:
    """The requests of one batch of changes (realtime.group_commit), read and
    written once for the whole batch rather than once per change: which were
    already carried out, in one query; the replies of those carried out now, in
    one statement before the commit (`write`). A request sent twice within one
    batch is carried out once and both get its reply.

    Optimistic: a batch's first try reads nothing (`look_up=False`), since a
    request sent again is rare (after a reconnect, when the ack was lost), and the
    read cost every batch a statement (about 4% of the CPU per edit on SQLite, a
    round trip on PostgreSQL). A request sent again is still found: carried out
    again, its reply collides with the one kept (`write` raises IntegrityError; so
    it does if another transaction carried one out meanwhile): roll back and try
    again with `look_up=True`, to answer with the reply kept. Refused when carried
    out again (its sentence changed or went since), `refused` finds the reply kept
    before the refusal is sent."""

    def __init__(self, db: Session, requests: list[tuple[str, int]], *, look_up: bool = True):
        self._done: dict[tuple[str, int], dict] = {}
        self._new: list[dict] = []
        self._looked_up = look_up
        if requests and look_up:
            if len(requests) == 1:
                ((client_id, ref),) = requests
                rows = db.execute(_DONE_ONE, {"client_id": client_id, "ref": ref})
            else:
                rows = db.execute(_DONE, {"asked": requests})
            self._done = {(c, r): reply for c, r, reply in rows}

    def reply_for(self, client_id: str, ref: int) -> dict | None:
        """The reply already given to this request, if it is known to be carried out."""
        return self._done.get((client_id, ref))

    def refused(self, db: Session, client_id: str, ref: int) -> None:
        """Carrying this request out was refused: raise AlreadyDone if it was carried
        out before (not yet looked up in this try)."""
        if self._looked_up:
            return
        row = db.execute(_DONE_ONE, {"client_id": client_id, "ref": ref}).first()
        if row is not None:
            raise AlreadyDone(row.reply)

    def remember(self, client_id: str, ref: int, reply: dict) -> None:
        """Keep the reply to a request carried out in this transaction."""
        self._done[(client_id, ref)] = reply
        self._new.append(
            {"client_id": client_id, "ref": ref, "reply": reply, "created_at": utcnow()}
        )

    def write(self, db: Session) -> None:
        if self._new:
            _REMEMBER.run(db, self._new)


def sweep(db: Session, now: datetime | None = None) -> int:
    """Forget old requests and clients that have not joined for a long time."""
    now = now or utcnow()
    gone = db.execute(delete(ClientRequest).where(ClientRequest.created_at < now - KEEP_REQUESTS))
    old = select(Client.id).where(Client.seen_at < now - KEEP_CLIENTS)
    db.execute(delete(ClientRequest).where(ClientRequest.client_id.in_(old)))
    db.execute(delete(Client).where(Client.seen_at < now - KEEP_CLIENTS))
    return gone.rowcount or 0
