"""Alembic environment: the database URL comes from Codraft's own settings
(CODRAFT_DATABASE_URL, or the SQLite file in the instance folder), unless the
caller passed a connection in (tests, `codraft db upgrade`)."""

from alembic import context

from server import models
from server.config import load

target_metadata = models.Base.metadata


def _url() -> str:
    return context.config.attributes.get("url") or load()["DATABASE_URL"]


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from server.db import make_engine

    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection) -> None:
    from server.search.engines import not_search_index

    # SQLite alters a table by copying it and dropping the old one; with foreign keys
    # on, that drop would fire ON DELETE on every row pointing at it (a users copy
    # would null every author and delete every membership). So they are off while
    # migrating (the pragma only takes effect outside a transaction) and checked after.
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()

    # render_as_batch lets SQLite alter tables by copying them.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=not_search_index,
    )
    with context.begin_transaction():
        context.run_migrations()
    if sqlite:
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()
        if broken:
            raise RuntimeError(f"migration left broken references: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
