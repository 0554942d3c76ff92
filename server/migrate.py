"""Run Alembic from code, so `codraft db upgrade` needs no alembic.ini lookup."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config

from server.config import ROOT


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    """The database's migration, None when it has none. A SQLite file that does not
    exist has none, and is not opened: opening it would leave an empty file behind a
    command that refused to run."""
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import create_engine, make_url

    found = make_url(url)
    a_file = found.get_backend_name() == "sqlite" and found.database not in (None, "", ":memory:")
    if a_file and not Path(found.database).exists():
        return None
    engine = create_engine(url)
    with engine.connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
    engine.dispose()
    return rev


@cache
def latest() -> str:
    """The newest migration this code carries (what `upgrade` brings a database to).
    Cached: reading the migration scripts takes about 0.1 s, and every server start
    asks (tests' fork server asks once, before it forks)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("")).get_current_head()
