"""The `codraft` command, run as a user would run it, in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from server.migrate import latest
from tests.conftest import ROOT, free_port


def codraft(*args, instance, env=None, input=None, check=True):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CODRAFT_")}
    full_env.update({"CODRAFT_INSTANCE_PATH": str(instance), **(env or {})})
    result = subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        env=full_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=input,
        timeout=120,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_demo_on_a_fresh_instance_prints_logins_and_is_idempotent(tmp_path):
    first = codraft("demo", instance=tmp_path)
    assert "facilitator@example.org" in first.stdout
    assert "password for all" in first.stdout
    assert (tmp_path / "codraft.db").exists()
    assert (tmp_path / "secret_key").exists()
    again = codraft("demo", instance=tmp_path)
    assert again.stdout == first.stdout


def test_run_with_demo_prints_the_address_it_serves(tmp_path):
    """`codraft serve --demo --port P` loads the demo and prints logins for port P, and
    that address answers (the demo used to print port 5000 whatever port came next)."""
    import requests

    from tests.conftest import free_port, wait_for_port

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODRAFT_")}
    env["CODRAFT_INSTANCE_PATH"] = str(tmp_path)
    out = tmp_path / "out.txt"
    with open(out, "w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--demo", "--host", "127.0.0.1",
             "--port", str(port)],
            env=env, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_for_port(port, proc, timeout=60)
            printed = out.read_text()
            assert f"Open http://127.0.0.1:{port}/ and sign in" in printed
            assert "facilitator@example.org" in printed
            assert ":5000" not in printed
            assert requests.get(f"http://127.0.0.1:{port}/sign-in", timeout=10).ok
        finally:
            proc.terminate()
            proc.wait(10)


def test_create_user_group_and_token(tmp_path):
    codraft("db", "upgrade", instance=tmp_path)
    made = codraft(
        "create-user",
        "--email",
        "Ada@Example.org",
        "--name",
        "Ada",
        instance=tmp_path,
        input="a long password\na long password\n",
    )
    assert "ada@example.org" in made.stdout
    group = codraft(
        "create-group",
        "--name",
        "Leeds group",
        "--facilitator",
        "ada@example.org",
        instance=tmp_path,
    )
    assert "facilitator" in group.stdout
    token = codraft("create-token", "--email", "ada@example.org", instance=tmp_path)
    assert token.stdout.strip().startswith("cdt_")


def test_cli_errors_are_plain_messages(tmp_path):
    codraft("db", "upgrade", instance=tmp_path)
    short = codraft(
        "create-user",
        "--email",
        "b@example.org",
        "--name",
        "B",
        instance=tmp_path,
        input="short\nshort\n",
        check=False,
    )
    assert short.returncode != 0
    assert "at least 10 characters" in short.stderr
    assert "Traceback" not in short.stderr
    missing = codraft(
        "create-token", "--email", "nobody@example.org", instance=tmp_path, check=False
    )
    assert missing.returncode != 0 and "No account" in missing.stderr


def test_commands_on_a_database_not_set_up_say_what_to_run(tmp_path):
    """A new user who runs `create-user` (or any command that uses the database)
    before `db upgrade` is told to run it, instead of a traceback about a missing
    table; `serve` without `--upgrade` does not start (it used to, and answered
    every page with an error); a database a migration behind the code is refused
    the same way. No file is written (not even an empty database), and `export`
    keeps its exit status 2."""
    password = "a long password\na long password\n"
    empty = codraft(
        "create-user", "--email", "a@example.org", "--name", "A",
        instance=tmp_path, input=password, check=False,
    )  # fmt: skip
    assert empty.returncode == 1, empty.stderr
    assert "The database is not set up yet. Run `codraft db upgrade` first" in empty.stderr
    assert "Traceback" not in empty.stderr
    out = tmp_path / "out.md"
    export = codraft(
        "export", "--policy", "1", "--format", "md", "--out", str(out),
        instance=tmp_path, check=False,
    )  # fmt: skip
    assert export.returncode == 2 and "codraft db upgrade" in export.stderr
    assert not out.exists()
    serve = codraft("serve", "--port", str(free_port()), instance=tmp_path, check=False)
    assert serve.returncode == 1 and "codraft serve --upgrade" in serve.stderr  # not serving
    assert not (tmp_path / "codraft.db").exists()  # refused without leaving an empty file

    codraft("db", "upgrade", instance=tmp_path)
    codraft("db", "downgrade", "--", "-1", instance=tmp_path)  # one migration back
    unknown = codraft("db", "downgrade", "nonsense", instance=tmp_path, check=False)
    assert unknown.returncode == 1 and "Traceback" not in unknown.stderr
    assert "Can't locate revision identified by 'nonsense'" in unknown.stderr
    behind = codraft("jobs", "--once", instance=tmp_path, check=False)
    assert behind.returncode == 1, behind.stderr
    assert f"this Codraft needs {latest()}. Run `codraft db upgrade`" in behind.stderr
    assert "Traceback" not in behind.stderr


def test_bad_database_url_is_refused_clearly(tmp_path):
    bad = codraft(
        "db", "upgrade", instance=tmp_path, env={"CODRAFT_DATABASE_URL": "mysql://x"}, check=False
    )
    assert bad.returncode != 0
    assert "CODRAFT_DATABASE_URL must be" in bad.stderr


@pytest.mark.postgres
def test_demo_on_postgres(tmp_path, postgres_url):
    env = {"CODRAFT_DATABASE_URL": postgres_url}
    codraft("db", "upgrade", instance=tmp_path, env=env)
    out = codraft("demo", instance=tmp_path, env=env)
    assert "facilitator@example.org" in out.stdout
    current = codraft("db", "current", instance=tmp_path, env=env)
    assert current.stdout.strip() == latest()
    assert not (tmp_path / "codraft.db").exists()


def test_run_serves_the_sign_in_page(instance):
    import requests

    from tests.conftest import LiveServer

    server = LiveServer(instance, command="run").start()
    try:
        page = requests.get(f"{server.url}/sign-in", timeout=10)
        assert page.status_code == 200 and "Sign in" in page.text
    finally:
        server.stop()


def test_jobs_once_closes_due_votes_for_cron(instance, db, make):
    from datetime import timedelta

    from server.db import utcnow
    from server.groups.services import get_member
    from server.policies.services import sentences_of
    from server.review import proposals, votes
    from tests.realtime.conftest import build_world

    w = build_world(make)
    alice = get_member(db, w["group"].id, w["users"]["alice"].id)
    row = sentences_of(db, [w["section"].id])[w["section"].id][1]
    p = proposals.create(
        db,
        w["section"],
        alice,
        kind="replace",
        reason="Faster",
        text="We will answer in two weeks.",
        sentence_ids=[row.id],
    )
    vote = votes.open_for_proposal(db, p, alice, w["users"]["alice"])
    db.commit()
    assert "close_due_votes: 0" in codraft("jobs", "--once", instance=instance).stdout
    vote.closes_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert "close_due_votes: 1" in codraft("jobs", "--once", instance=instance).stdout
    db.expire_all()
    assert not vote.is_open and vote.outcome is not None
