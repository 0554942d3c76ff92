"""Shared fixtures: a migrated database per test, factories, a live server, and the
external services (PostgreSQL, Redis, Chromium) which skip outside CI when missing
and fail inside CI, where nothing may be skipped."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pytest

from server import create_app
from server.migrate import upgrade

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"


def need(condition: bool, reason: str) -> None:
    """Skip when a service is missing, except in CI where that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must run this test but: {reason}")
    pytest.skip(reason)


@contextmanager
def _quiet_room(shared: Path, quiet: bool):
    """A fair reader-writer lock on two files that all xdist workers share:
    `turnstile` stops new tests while a quiet one waits for the `room`."""
    import fcntl

    with (
        open(shared / "quiet.turnstile", "a") as turnstile,
        open(shared / "quiet.room", "a") as room,
    ):
        fcntl.flock(turnstile, fcntl.LOCK_EX)
        if quiet:
            fcntl.flock(room, fcntl.LOCK_EX)
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        else:
            fcntl.flock(turnstile, fcntl.LOCK_UN)
            fcntl.flock(room, fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(room, fcntl.LOCK_UN)


@pytest.fixture(autouse=True)
def quiet_for_timed_tests(request, tmp_path_factory):
    """A test marked `quiet` (it holds a server to a time bound) runs while the other
    xdist workers are idle, as it would alone: it waits for their current tests to
    end, and they start no other until it ends. Other tests hold the room shared
    from their setup to their teardown; a quiet one takes it whole only for its
    call (pytest_runtest_call below), so its setup (starting its server) still
    overlaps the other workers' tests, which no time bound covers."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield
        return
    shared = tmp_path_factory.getbasetemp().parent
    if request.node.get_closest_marker("quiet") is not None:
        request.node.quiet_room = shared
        yield
        return
    with _quiet_room(shared, quiet=False):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    """The call of a `quiet` test, alone (quiet_for_timed_tests)."""
    shared = getattr(item, "quiet_room", None)
    if shared is None:
        yield
        return
    with _quiet_room(shared, quiet=True):
        yield


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """Migrate one SQLite file per test session; each test gets a copy (fast, and the
    schema still comes only from the migrations)."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "codraft.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def instance(tmp_path, migrated_template) -> Path:
    folder = tmp_path / "instance"
    folder.mkdir()
    shutil.copy(migrated_template, folder / "codraft.db")
    return folder


SECRET_KEY = "test-secret-key-not-for-production"


def app_config(instance: Path, database_url: str | None = None, **config) -> dict:
    """A test app's settings: the instance's SQLite file unless `database_url` says
    otherwise, rate limits off unless `config` turns them on."""
    return {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url or f"sqlite:///{instance / 'codraft.db'}",
        "SECRET_KEY": SECRET_KEY,
        "TESTING": True,
        "RATELIMIT_ENABLED": False,
        "ASYNC_MODE": "threading",
        **config,
    }


@contextmanager
def made_app(instance: Path, database_url: str | None = None, **config):
    """A Flask app for a test (`app_config`), each request with a fresh `g`; its
    connections are closed afterwards, so a PostgreSQL database can be dropped."""
    app = create_app(app_config(instance, database_url, **config))
    try:
        with fresh_g_per_request(app):
            yield app
    finally:
        app.extensions["codraft_db"].remove()
        app.extensions["codraft_db"].engine.dispose()


@pytest.fixture
def app(instance):
    with made_app(instance) as app:
        yield app


@contextmanager
def fresh_g_per_request(app):
    """Start every test request with an empty `flask.g`, as in production.

    The `db` fixture keeps an app context open for the whole test and Flask reuses
    it for each test-client request, so `g` would carry Flask-Login's cached user
    and Flask-WTF's CSRF token from one request (or client) into the next."""
    from flask import g, request_started

    def _clear(_sender, **_extra):
        g.__dict__.clear()

    request_started.connect(_clear, app, weak=False)
    try:
        yield app
    finally:
        request_started.disconnect(_clear, app)


@pytest.fixture
def db(app):
    """The app's session, for arranging data and checking what was stored."""
    with app.app_context():
        yield app.extensions["codraft_db"].session


@pytest.fixture
def client(app):
    return app.test_client()


# --- factories ---------------------------------------------------------------------


@lru_cache
def quick_hash(password: str) -> str:
    """A real argon2 hash with the cheapest parameters: verifying it is instant, where
    the production parameters cost a quarter of a second to make and again at each
    sign-in. Hashing with the production parameters is what sign-up, `codraft
    create-user` and the demo do, and they are tested through those."""
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(password)


class Factory:
    """Builds people, groups and text through the real services, committed. People's
    stored password hashes are cheap to check (`quick_hash`)."""

    def __init__(self, app):
        self.app = app
        self.db = app.extensions["codraft_db"].session
        self._n = 0

    def _commit(self, value):
        self.db.commit()
        return value

    def user(self, name: str | None = None, email: str | None = None, password: str = PASSWORD):
        from server.accounts.services import create_user

        self._n += 1
        name = name or f"Person {self._n}"
        email = email or f"person{self._n}@example.org"
        user = create_user(self.db, email, name, None)
        user.password_hash = quick_hash(password)
        return self._commit(user)

    def group(self, facilitator=None, name: str = "Test group"):
        from server.groups.services import create_group

        facilitator = facilitator or self.user("Facilitator")
        return self._commit(create_group(self.db, facilitator, name))

    def member(self, group, user=None, role: str = "parent_carer"):
        from server.groups.models import Membership, Role

        user = user or self.user()
        m = Membership(group_id=group.id, user_id=user.id, role=Role(role))
        self.db.add(m)
        return self._commit(m)

    def subgroup(self, group, name: str | None = None, members=()):
        from server.groups.services import add_to_subgroup, create_subgroup

        self._n += 1
        sub = create_subgroup(self.db, group, name or f"Sub-group {self._n}")
        for m in members:
            add_to_subgroup(self.db, sub, m)
        return self._commit(sub)

    def policy(self, group, by, title: str = "Test policy", parts=("Part one",)):
        from server.policies.services import create_policy

        return self._commit(create_policy(self.db, group, by, title, "", list(parts)))

    def section(self, part, by, subgroup, title: str = "A section", text: str = "", kind="text"):
        from server.policies.services import create_section

        return self._commit(
            create_section(
                self.db, part, by, title=title, subgroup_id=subgroup.id, kind=kind, text=text
            )
        )

    def token(self, user, name: str = "tests") -> str:
        from server.accounts.services import create_api_token

        token, _ = create_api_token(self.db, user, name)
        self.db.commit()
        return token


@pytest.fixture
def make(app, db):
    return Factory(app)


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign in through the real form, CSRF token included."""
    import re

    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    token = token or re.search(r'name="csrf_token" value="([^"]+)"', page)
    return client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token.group(1) if token else ""},
    )


# --- a live server in its own process ------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early with code {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"server did not listen on port {port} within {timeout}s")


class LiveServer:
    """`codraft serve` (or `run`) in a subprocess, on a free port. Tests use the
    production server: it is what people run, and it closes sockets at once where
    the development server lingers for seconds."""

    def __init__(
        self, instance: Path, *, command: str = "serve", env: dict | None = None, fork=True
    ):
        self.instance = instance
        self.command = command
        self.fork = fork  # False: a brand-new process, for a test that times the server
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "CODRAFT_INSTANCE_PATH": str(instance),
            "CODRAFT_SECRET_KEY": "live-test-secret-key",
            **(env or {}),
        }
        self.proc: subprocess.Popen | None = None

    def start(self) -> LiveServer:
        log_path = self.instance / f"server-{self.port}.log"
        self.log = open(log_path, "ab")  # noqa: SIM115
        args = [self.command, "--host", "127.0.0.1", "--port", str(self.port), "--no-upgrade"]
        gevent = self.env.get("CODRAFT_ASYNC_MODE") in (None, "", "gevent")
        if self.fork and self.command == "serve" and gevent and _fork_server() is not None:
            # The same `codraft serve`, forked from a process that has loaded it
            # already (tests/forkserver.py): about 0.3 s instead of 3 s of CPU.
            self.proc = _fork_server().spawn(args, self.env, log_path, ROOT)
        else:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "server.cli", *args],
                env=self.env,
                cwd=ROOT,
                stdout=self.log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, self.proc)
        return self

    def stop(self, sig=None) -> None:
        if self.proc and self.proc.poll() is None:
            if sig is None:
                self.proc.terminate()
            else:
                self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


_FORK_SERVER: list = []  # this process's ForkServer, made at the first `serve`


def _fork_server():
    """This test process's fork server (tests/forkserver.py), started on first use;
    None when CODRAFT_TEST_FORKSERVER=0. It has patched with gevent, so it starts
    only `serve` under gevent."""
    if os.environ.get("CODRAFT_TEST_FORKSERVER", "1") == "0":
        return None
    if not _FORK_SERVER:
        import atexit
        import tempfile

        from tests.forkserver import ForkServer

        log = Path(tempfile.gettempdir()) / f"codraft-forkserver-{os.getpid()}.log"
        _FORK_SERVER.append(ForkServer(log))
        atexit.register(_FORK_SERVER[0].close)
    helper = _FORK_SERVER[0]
    return helper if helper.alive() else None  # it died: plain starts from now on


def pytest_sessionfinish(session, exitstatus):
    """End the fork server and every server it started (atexit would too, but an
    xdist worker may leave without running it)."""
    while _FORK_SERVER:
        _FORK_SERVER.pop().close()


@pytest.fixture
def live_server(instance):
    server = LiveServer(instance).start()
    yield server
    server.stop()


# --- external services ---------------------------------------------------------------


def _reachable(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextmanager
def postgres_database(template: str | None = None):
    """A new PostgreSQL database (empty, or a copy of `template`), dropped after;
    yields its URL. Named at random, so no two tests or xdist workers meet."""
    need(_reachable(5432), "PostgreSQL is not running on 127.0.0.1:5432")
    import uuid

    import psycopg

    name = f"codraft_test_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def migrated_postgres_template():
    """The name of a PostgreSQL database migrated once per test process, to copy."""
    with postgres_database() as url:
        upgrade(url)
        yield url.rsplit("/", 1)[1]


@pytest.fixture
def migrated_postgres_url(migrated_postgres_template):
    """A fresh PostgreSQL database with the schema the migrations make: a copy of
    one migrated once (0.4 s), where migrating each takes seconds. The migrations
    themselves are tested from empty in tests/test_migrations.py."""
    with postgres_database(template=migrated_postgres_template) as url:
        yield url


def redis_server_url() -> str:
    """Redis, in a database of this test process's own (keys never meet those of
    another xdist worker; tests name their channels at random)."""
    need(_reachable(6379), "Redis is not running on 127.0.0.1:6379")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    return f"redis://127.0.0.1:6379/{int(worker or 0) % 16}"


@pytest.fixture
def redis_url():
    return redis_server_url()


CHROMIUM = os.environ.get("CODRAFT_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    need(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import expect, sync_playwright

    # The same bound for `expect` as for actions (Session's default timeout): a live
    # update that a busy two-core CI machine delivers in 6 s is slow, not wrong.
    expect.set_options(timeout=10_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
