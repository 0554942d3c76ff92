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
    # Rows as parameters, not .values(rows): the statement then compiles once and is
    # cached, where a literal multi-row VALUES would be compiled on every call.
    stmt = dialect.insert(model).on_conflict_do_nothing()
    if returning is None:
        db.execute(stmt, rows)
        return []
    return list(db.execute(stmt.returning(*returning), rows))
