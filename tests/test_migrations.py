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


def test_agenda_votes_migration_removes_copied_votes_and_keeps_own_items(tmp_path):
    """0012: copied vote rows go, the facilitators' items stay; downgrade brings the
    column back empty (the copies are not recreated, as its docstring says)."""
    from sqlalchemy import text

    url = f"sqlite:///{tmp_path / 'agenda.db'}"
    upgrade(url, "0011_coproduction")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO groups VALUES (1, 'G', '', '2026-01-01 00:00:00')"))
        conn.execute(
            text(
                "INSERT INTO meetings (id, group_id, title, starts_at, place, notes, created_at)"
                " VALUES (1, 1, 'March', '2030-01-01 00:00:00', '', '', '2026-01-01 00:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO agenda_items (id, meeting_id, position, vote_id, title, note, removed)"
                " VALUES (1, 1, 1, NULL, 'Welcome', '', 0), (2, 1, 2, 99, 'A copied vote', '', 0),"
                " (3, 1, 3, 98, 'A copied vote taken off', '', 1)"
            )
        )
    upgrade(url, "0012_agenda_votes")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, title FROM agenda_items")).all() == [(1, "Welcome")]
    assert "vote_id" not in {c["name"] for c in inspect(engine).get_columns("agenda_items")}
    downgrade(url, "0011_coproduction")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, vote_id FROM agenda_items")).all() == [(1, None)]
    engine.dispose()
