"""The few statements every live edit runs, run on the database driver itself.

`Session.execute` of a small Core statement costs several times the database's own
work: a profile of 50 clients editing spent 24% of the server's CPU in SQLAlchemy's
Python and 9% in SQLite (docs/performance.md). Most of that is what each execution
sets up around the statement: an execution context, the compiled-cache lookup, the
parameters turned over twice, a result object. Here SQLAlchemy still compiles each
statement (once per dialect) and still says how every value is bound and every
column read (the statement's own bind and result processors, as `Session.execute`
would apply them); the statement then runs on the driver's cursor, in the session's
own connection and transaction.

What this leaves out, so what a statement run here must not need: autoflush (a Core
statement through a Session does not autoflush either), Python-side column defaults
(give every value), expanding IN lists, SQLAlchemy's statement events (a write still
takes SQLite's writer lock first, server.sqlite_writer). A driver error is raised as
SQLAlchemy's (IntegrityError, OperationalError...), with a lost connection
invalidated as SQLAlchemy would, so callers handle errors as before.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from server import sqlite_writer

_GIVEN = object()  # a value the caller gives, by name


class _Form:
    """A statement compiled for one dialect: its SQL, and how to bind and read."""

    __slots__ = ("sql", "binds", "named", "order", "readers", "row", "writes")

    def __init__(self, stmt: Executable, dialect: Dialect, keys: Sequence[str] | None):
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys) if keys else None)
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise ValueError(f"a column default would be left out: {compiled.string}")
        self.sql = compiled.string
        self.writes = compiled.isinsert or compiled.isupdate or compiled.isdelete
        self.named = compiled.positiontup is None
        self.order = compiled.positiontup  # a name may come twice
        self.binds = []
        for name in dict.fromkeys(compiled.binds if self.named else self.order):
            bind = compiled.binds[name]
            if bind.expanding:
                raise ValueError(f"an expanding IN list is not run here: {compiled.string}")
            # A value given by the caller is looked up by its name; a literal in the
            # statement (`id == 1`) keeps its own value.
            given = bind.required or (
                bind.key == name and bind.value is None and bind.callable is None
            )
            fixed = _GIVEN if given else bind.effective_value
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            self.binds.append((name, fixed, process))
        columns = getattr(stmt, "exported_columns", ())
        self.readers = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]
        self.row = namedtuple("Row", [column.key for column in columns], rename=True)

    def bound(self, params: dict) -> Any:
        """The values as the driver takes them: by name, or in the SQL's order."""
        values = {}
        for name, fixed, process in self.binds:
            value = params[name] if fixed is _GIVEN else fixed
            values[name] = process(value) if process is not None else value
        return values if self.named else tuple(values[name] for name in self.order)

    def read(self, row: tuple) -> tuple:
        return self.row._make(
            value if read is None or value is None else read(value)
            for read, value in zip(self.readers, row, strict=True)
        )


class Statement:
    """A Core statement to run on the driver. `keys`: the columns an INSERT is given
    (an INSERT with no `.values()` names none until compiled with them)."""

    __slots__ = ("_stmt", "_keys", "_forms")

    def __init__(self, stmt: Executable, *, keys: Sequence[str] | None = None):
        self._stmt, self._keys = stmt, keys
        self._forms: dict[str, _Form] = {}

    def _form(self, dialect: Dialect) -> _Form:
        form = self._forms.get(dialect.name)
        if form is None:
            form = self._forms[dialect.name] = _Form(self._stmt, dialect, self._keys)
        return form

    def _run(self, db: Session, params: dict | list[dict], fetch: bool):
        connection = db.connection()
        dialect = connection.dialect
        form = self._form(dialect)
        if form.writes:
            sqlite_writer.before_write(connection)  # as SQLAlchemy's events would
        cursor = connection.connection.cursor()
        many = isinstance(params, list)
        try:
            if many:
                cursor.executemany(form.sql, [form.bound(p) for p in params])
            else:
                cursor.execute(form.sql, form.bound(params))
            rows = [form.read(row) for row in cursor.fetchall()] if fetch else None
            return cursor.rowcount, rows
        except dialect.loaded_dbapi.Error as error:
            lost = dialect.is_disconnect(error, connection.connection, cursor)
            if lost:
                connection.invalidate(error)
            raise exc.DBAPIError.instance(
                form.sql,
                params,
                error,
                dialect.loaded_dbapi.Error,
                connection_invalidated=lost,
                dialect=dialect,
                ismulti=many,
            ) from error
        finally:
            if not connection.invalidated:  # a lost connection's cursor is gone with it
                cursor.close()

    def run(self, db: Session, params: dict | list[dict]) -> int:
        """Run it (a list of parameter sets: one executemany); the rows it changed."""
        return self._run(db, params, fetch=False)[0]

    def rows(self, db: Session, params: dict) -> list[tuple]:
        """The rows, as named tuples (`row.text`, `row[0]`), each value read as
        SQLAlchemy would (a stored time comes back as a datetime)."""
        return self._run(db, params, fetch=True)[1]

    def first(self, db: Session, params: dict) -> tuple | None:
        rows = self.rows(db, params)
        return rows[0] if rows else None

    def scalar(self, db: Session, params: dict) -> Any:
        row = self.first(db, params)
        return None if row is None else row[0]
