"""Statements run on the driver (server.driver_sql) read and write as SQLAlchemy
would, and fail as SQLAlchemy would, on SQLite and on PostgreSQL: the live edit
path's writes go through it, and the boundary's retries and resend handling rely on
SQLAlchemy's exception classes."""

from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import bindparam, exc, func, select

from server import driver_sql
from server.db import utcnow
from server.editing.models import Client, ClientRequest
from server.history.models import Revision
from tests.conftest import PG_ADMIN, Factory, made_app

_REQUESTS = ClientRequest.__table__
_REMEMBER = driver_sql.Statement(
    _REQUESTS.insert(), keys=("client_id", "ref", "reply", "created_at")
)
_READ = driver_sql.Statement(
    select(_REQUESTS.c.ref, _REQUESTS.c.reply, _REQUESTS.c.created_at)
    .where(_REQUESTS.c.client_id == bindparam("client_id"), _REQUESTS.c.ref > 1)
    .order_by(_REQUESTS.c.ref)
)


@contextmanager
def _session(instance, url=None):
    """A session on the app's database, with one client id to keep requests for."""
    with made_app(instance, url) as app, app.app_context():
        db = app.extensions["codraft_db"].session
        db.add(Client(id="c" * 16, user_id=Factory(app).user().id, seen_at=utcnow()))
        db.commit()
        yield db
        db.rollback()


@pytest.fixture(params=["sqlite", "postgresql"])
def session(request, instance):
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("migrated_postgres_url")
    with _session(instance, url) as db:
        yield db


def test_values_go_in_and_come_back_as_sqlalchemy_binds_and_reads_them(session):
    at = utcnow()
    rows = [
        {"client_id": "c" * 16, "ref": ref, "reply": {"ok": True, "seq": ref}, "created_at": at}
        for ref in (1, 2, 3)
    ]
    assert _REMEMBER.run(session, rows) == 3  # one executemany
    session.commit()
    read = _READ.rows(session, {"client_id": "c" * 16})
    assert [(r.ref, r.reply) for r in read] == [
        (2, {"ok": True, "seq": 2}),
        (3, {"ok": True, "seq": 3}),
    ]
    assert read[0].created_at == at  # aware, in UTC, as written
    assert read[0].created_at.utcoffset() == timedelta(0)
    # and the ORM reads what the driver wrote
    kept = session.scalars(select(ClientRequest).order_by(ClientRequest.ref)).all()
    assert [k.reply["seq"] for k in kept] == [1, 2, 3]


def test_a_broken_rule_is_sqlalchemys_error_and_the_session_rolls_back(session):
    row = {"client_id": "c" * 16, "ref": 7, "reply": {"ok": True}, "created_at": utcnow()}
    _REMEMBER.run(session, row)
    session.commit()
    with pytest.raises(exc.IntegrityError):
        _REMEMBER.run(session, row)
    session.rollback()
    assert session.scalar(select(ClientRequest.ref)) == 7  # usable again, nothing doubled


def test_a_statement_that_would_leave_out_a_column_default_is_refused(session):
    # revisions.op_count and the times have Python-side defaults, which only
    # SQLAlchemy's own execution fills in
    partial = driver_sql.Statement(Revision.__table__.insert(), keys=("policy_id", "kind"))
    with pytest.raises(ValueError, match="column default"):
        partial.run(session, {"policy_id": 1, "kind": "edit"})


def test_a_lost_connection_is_invalidated_and_the_next_transaction_gets_a_new_one(
    instance, migrated_postgres_url
):
    row = {"client_id": "c" * 16, "ref": 9, "reply": {"ok": True}, "created_at": utcnow()}
    with _session(instance, migrated_postgres_url) as db:
        pid = db.execute(select(func.pg_backend_pid())).scalar()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:  # the server restarts, say
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(exc.OperationalError) as lost:
            _REMEMBER.run(db, row)
        assert lost.value.connection_invalidated
        db.rollback()
        assert _REMEMBER.run(db, row) == 1  # on a fresh connection
        db.commit()
        assert db.scalar(select(ClientRequest.ref)) == 9
