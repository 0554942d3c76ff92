"""`codraft export`: the file, or a message and exit status 2 with no file."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.publishing import readers


def run(instance, *args):
    env = {
        **os.environ,
        "CODRAFT_INSTANCE_PATH": str(instance),
        "CODRAFT_SECRET_KEY": "cli-test-secret-key-long-enough",
    }
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "export", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def policy(make, db):
    fac = make.user("Fran")
    group = make.group(fac)
    sub = make.subgroup(group, "Money")
    policy = make.policy(group, fac, "Travel policy")
    make.section(policy.parts[0], fac, sub, "Buses", "Buses are free. Trains are not.")
    from server.history import services as history
    from server.publishing import services as publishing

    cp = history.make_checkpoint(db, policy, fac, "First draft")
    publishing.publish(db, policy, fac, "First")
    db.commit()
    return policy.id, cp.id


def test_exports_now_a_release_and_a_checkpoint(instance, policy, tmp_path):
    policy_id, cp = policy
    for extra, fmt in (
        ([], "md"),
        (["--release", "1"], "docx"),
        (["--checkpoint", str(cp)], "pdf"),
    ):
        out = tmp_path / f"out.{fmt}"
        done = run(instance, "--policy", str(policy_id), *extra, "--format", fmt, "--out", str(out))
        assert done.returncode == 0, done.stderr
        assert "Buses are free. Trains are not." in readers.everything(fmt, out.read_bytes())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--policy", "999", "--format", "md"], "That policy was not found."),
        (["--policy", "{p}", "--release", "5", "--format", "md"], "Version 5 of this policy"),
        (["--policy", "{p}", "--checkpoint", "77", "--format", "md"], "checkpoint was not found"),
        (["--policy", "{p}", "--format", "exe"], "'exe' is not one of"),
        (
            ["--policy", "{p}", "--release", "1", "--checkpoint", "{c}", "--format", "md"],
            "not both",
        ),
    ],
)
def test_errors_exit_2_with_a_message_and_no_file(instance, policy, tmp_path, args, message):
    policy_id, cp = policy
    out = tmp_path / "out.file"
    args = [a.format(p=policy_id, c=cp) for a in args]
    done = run(instance, *args, "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists() and not (tmp_path / "out.file.part").exists()


def test_a_folder_that_does_not_exist_is_a_message_and_no_file(instance, policy, tmp_path):
    policy_id, _cp = policy
    out = tmp_path / "missing" / "out.md"
    done = run(instance, "--policy", str(policy_id), "--format", "md", "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert f"Cannot write {out}: No such file or directory." in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "missing").exists()
