"""One SQLite writer at a time in this process, waited for cooperatively.

Why: SQLite has one writer at a time, and a connection that finds the write lock
taken waits in SQLite's busy handler, in C, in the calling thread. Under gevent
that thread is the hub's: the whole process stops while it waits, and if the
writer it waits for is a greenlet of this process that yielded inside its
transaction (any network wait, a worker's answer), that greenlet cannot run to
finish, so the wait lasts the whole busy timeout (30 s) and fails. Everything that
writes waits here first instead, on a lock gevent switches away from: the first
statement of a transaction that may write (or `BEGIN IMMEDIATE`) takes the
engine's lock, and the transaction's end (commit, rollback, or its connection
closed) gives it back. Other processes (the command line, a second server) still
meet SQLite's own lock, in its busy handler, as before.

This was first only the live batches' lock (realtime.boundary, since ten policies
edited at once all timed out); an HTTP request writing while a batch held SQLite's
lock still froze the process. Being the one rule for every writer also makes it
safe to run the COMMIT off the hub; that was measured and left (docs/performance.md:
no gain with an fsync of 0.2 ms, a thread hand-off per commit costs more).

A transaction that must not wait (scheduled jobs: db.without_lock_waits) is
refused at once with "database is locked", as SQLite refuses it at busy_timeout=0;
a wait longer than the busy timeout is refused the same way, as SQLite would.
Under threads (`codraft run`, tests) the lock is an ordinary one, the same rule.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

HOLDS = "codraft_holds_writer"  # in a pooled connection's info while it holds the lock
NO_WAIT = "codraft_no_lock_wait"  # in its info while its transaction must not wait
_STARTS_NO_WRITE = ("SELECT", "PRAGMA", "SAVEPOINT", "RELEASE", "ROLLBACK", "EXPLAIN")


def _writes(statement: str) -> bool:
    """Whether a statement may take SQLite's write lock. A deferred BEGIN does not;
    BEGIN IMMEDIATE does. Anything unknown counts as a write: taking the lock for a
    read costs only a wait."""
    head = statement.lstrip()[:16].upper()
    if head.startswith("BEGIN"):
        return "IMMEDIATE" in head or "EXCLUSIVE" in head
    return not head.startswith(_STARTS_NO_WRITE)


class _Writer:
    """An engine's lock. Which pooled connection holds it is marked in that
    connection's record (`HOLDS`), so a second write of the same transaction passes."""

    def __init__(self, wait_seconds: float):
        self.lock = threading.Lock()  # gevent's under `codraft serve` (patched first)
        self.wait_seconds = wait_seconds

    def take(self, info: dict) -> None:
        """Before a connection's first write of a transaction (`info`: its pool
        record's), wait for the lock, or refuse as SQLite does."""
        if info.get(HOLDS):
            return
        if info.get(NO_WAIT):
            taken = self.lock.acquire(blocking=False)
        else:
            taken = self.lock.acquire(timeout=self.wait_seconds)
        if not taken:
            raise sqlite3.OperationalError("database is locked")
        info[HOLDS] = True

    def give_back(self, info: dict | None) -> None:
        if info is not None and info.pop(HOLDS, False):
            self.lock.release()


_writers: weakref.WeakKeyDictionary[Engine, _Writer] = weakref.WeakKeyDictionary()


def before_write(connection: Connection) -> None:
    """For statements run on the driver's cursor (server.driver_sql), which
    SQLAlchemy's statement events do not see: take the lock as they would."""
    writer = _writers.get(connection.engine)
    if writer is not None:
        writer.take(connection.info)


def install(engine: Engine, wait_seconds: float) -> None:
    """Give `engine` (SQLite) its writer lock: taken before a write, given back at
    the transaction's end."""
    writer = _writers[engine] = _Writer(wait_seconds)

    @event.listens_for(engine, "before_cursor_execute")
    def _before_write(conn, _cursor, statement, _params, _context, _many):
        if _writes(statement):
            writer.take(conn.info)

    @event.listens_for(engine, "close")
    def _closed(_dbapi_conn, record):
        writer.give_back(record.info)

    @event.listens_for(engine, "invalidate")
    def _invalidated(_dbapi_conn, record, _exc):
        writer.give_back(record.info)

    # The transaction's end gives it back: the dialect is this engine's own, and its
    # commit and rollback get the pool's connection proxy, whose `info` is the
    # record's (the pool's reset on return rolls back through it too).
    dialect = engine.dialect
    commit, rollback = dialect.do_commit, dialect.do_rollback

    def do_commit(pooled) -> None:
        try:
            commit(pooled)
        finally:
            writer.give_back(_info(pooled))

    def do_rollback(pooled) -> None:
        try:
            rollback(pooled)
        finally:
            writer.give_back(_info(pooled))

    dialect.do_commit, dialect.do_rollback = do_commit, do_rollback


def _info(pooled) -> dict | None:
    """A pooled connection's record's `info`; None for the pool's own first-connect
    proxy, which has none (and never holds the lock)."""
    try:
        return pooled.info
    except (AttributeError, NotImplementedError):
        return None
