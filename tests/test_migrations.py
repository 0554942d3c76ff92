"""The schema comes only from migrations: they must match the models exactly, and
go down and up again cleanly, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from server.db import Base, make_engine
from server.migrate import current, downgrade, upgrade
from server.models import Base as ModelsBase  # noqa: F401  (imports every model)
from server.search.engines import not_search_index


def _diff(url: str) -> list:
    engine = make_engine(url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_name": not_search_index}
        )
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    return diff


def _roundtrip(url: str) -> None:
    upgrade(url)
    assert current(url) is not None
    assert _diff(url) == []
    downgrade(url, "base")
    engine = create_engine(url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(url)
    assert _diff(url) == []


def test_sqlite_migrations_match_models_and_round_trip(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path / 'm.db'}")


@pytest.mark.postgres
def test_postgres_migrations_match_models_and_round_trip(postgres_url):
    _roundtrip(postgres_url)


def test_sqlite_runs_in_wal_with_full_sync(app, db):
    from sqlalchemy import text

    assert db.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    assert db.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
    assert db.execute(text("PRAGMA foreign_keys")).scalar() == 1
