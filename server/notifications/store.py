"""Insert rows unless one with the same unique key is there already, in one
statement on SQLite and PostgreSQL alike. Two processes recording the same thing
at once (a reminder, a digest) then leave one row, and neither fails."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_new(db: Session, model, rows: list[dict], returning=None) -> list:
    """Insert `rows`, skipping any that clash with a unique key; return `returning`
    of the rows actually inserted (empty when all were there already)."""
    if not rows:
        return []
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(model).values(rows).on_conflict_do_nothing()
    if returning is None:
        db.execute(stmt)
        return []
    return list(db.execute(stmt.returning(*returning)))
