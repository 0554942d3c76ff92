"""PostgreSQL connections cut while idle (a database restart, a proxy's idle
timeout) are found before use: the pool pings a connection that sat idle
(server/db.py, `_ping_when_idle`) instead of pinging on every checkout."""

from __future__ import annotations

import psycopg
import pytest

from server import db as database
from tests.api.conftest import Api
from tests.conftest import PG_ADMIN, Factory, made_app


@pytest.fixture
def pg_app(tmp_path, migrated_postgres_url):
    with made_app(tmp_path, migrated_postgres_url) as app:
        yield app


def _cut_every_connection(url: str) -> int:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchall()
    return len(rows)


def test_a_connection_cut_while_idle_is_replaced_before_a_request_uses_it(
    pg_app, migrated_postgres_url, monkeypatch
):
    Factory(pg_app).user("Fran Facilitator", "fran@example.org")
    api = Api(pg_app.test_client())
    fran = api.token("fran@example.org")
    assert api.get("/groups", fran).status_code == 200

    assert _cut_every_connection(migrated_postgres_url) >= 1  # the pool's, now dead
    monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0)  # "a while" has passed

    reply = api.get("/groups", fran)
    assert reply.status_code == 200, reply.get_json()
    assert api.post("/groups", fran, {"name": "After the restart"}).status_code == 201
    names = [g["name"] for g in api.get("/groups", fran).get_json()]
    assert "After the restart" in names
