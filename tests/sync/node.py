"""Find node for the JavaScript tests: skip without it, except in CI where it must be there."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def node() -> str:
    """Return the node executable, or skip (fail when CI=true) if it is missing."""
    found = shutil.which("node")
    if found is None:
        message = "node is not installed: the JavaScript sync model was not tested"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def run_node(
    *args: str, stdin: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [node(), *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
