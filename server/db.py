"""The database: engine, sessions, the declarative Base, and the one place that commits.

Services receive a Session and only flush; the request or socket-event boundary
calls `commit()` once, so a failure anywhere leaves nothing half-written.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, String, create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.types import TypeDecorator

from server import events, sqlite_writer

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Store naive UTC, hand back aware UTC: SQLite keeps no zone, PostgreSQL would
    convert; one rule for both keeps comparisons with utcnow() safe."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use server.db.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=UTC)


def position_type() -> String:
    """Ordering keys (fractional indexing) must sort bytewise; PostgreSQL's default
    collation would not, so it gets the "C" collation."""
    return String(64).with_variant(String(64, collation="C"), "postgresql")


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, synchronous=FULL and foreign keys, so an
    acknowledged write survives a killed process and references are enforced."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.close()

        @event.listens_for(engine, "checkin")
        def _lock_waits_again(dbapi_conn, record):
            if record.info.pop(_NO_LOCK_WAIT, False):
                cur = dbapi_conn.cursor()
                cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                cur.close()

        sqlite_writer.install(engine, BUSY_TIMEOUT_MS / 1000)
        return engine
    engine = create_engine(url, pool_size=10, max_overflow=20)
    _ping_when_idle(engine)
    return engine


PING_AFTER_IDLE_SECONDS = 10


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use only if it sat unused for a while.

    Why not `pool_pre_ping`: it pings on every checkout, and a batch of live edits
    checks a connection out, so on PostgreSQL every batch paid one more round trip
    (a send, a wake-up of the server's backend and a wait) for nothing: a connection
    used a moment ago is alive. One that sat idle may have been cut (a database
    restart, a proxy's idle timeout): it is pinged, and if dead the pool replaces it
    and every connection as old (DisconnectionError). A connection that dies while
    in use fails its statement as it would anyway; the live batches try again
    (realtime.boundary), and the pool drops the dead connections."""

    @event.listens_for(engine, "checkin")
    def _note_idle_since(_dbapi_conn, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn, record, _proxy) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as error:
            raise exc.DisconnectionError() from error


class Database:
    """One engine and one scoped session factory per app."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        events.install(factory)
        event.listen(factory, "after_begin", _no_lock_wait_on_begin)
        self.session: scoped_session[Session] = scoped_session(factory)

    def commit(self) -> None:
        self.session.commit()

    def remove(self) -> None:
        self.session.remove()


BUSY_TIMEOUT_MS = 30000  # what an SQLite connection waits for a lock (make_engine)
_NO_LOCK_WAIT = sqlite_writer.NO_WAIT


@contextmanager
def without_lock_waits(db: Session):
    """Background writers (scheduled jobs, notifying after a commit) must not wait
    for SQLite's write lock: SQLite waits in C, which freezes the gevent hub, and the
    request holding the lock then never gets to finish (a deadlock until the wait
    ends, every few seconds). Every transaction `db` begins inside this gets a
    locked database as an OperationalError at once, and the work is tried again at
    its next run. Other databases wait without blocking, so nothing changes there."""
    db.info[_NO_LOCK_WAIT] = True
    try:
        yield
    finally:
        db.info.pop(_NO_LOCK_WAIT, None)


def _no_lock_wait_on_begin(session: Session, _transaction, connection) -> None:
    if session.info.get(_NO_LOCK_WAIT) and connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA busy_timeout=0")
        connection.info[_NO_LOCK_WAIT] = True  # reset when it goes back to the pool
