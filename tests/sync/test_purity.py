"""The sync engine stays pure: no framework, database, network, threads or files.

Every module under server/sync is parsed, and each import must be the engine
itself, a pure standard-library module, or one of the two text libraries.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SYNC = ROOT / "server" / "sync"
ALLOWED = {
    "__future__",
    "abc",
    "collections",
    "dataclasses",
    "enum",
    "functools",
    "itertools",
    "math",
    "typing",
    "diff_match_patch",
    "fractional_indexing",
}
FORBIDDEN_NAMES = {"__import__", "compile", "eval", "exec", "input", "open", "print"}


def impurities(source: str, package: str) -> list[str]:
    """Return what a module in package imports or calls that the engine may not."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if not _allowed(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            name = node.module or ""
            if node.level:
                base = package.rsplit(".", node.level - 1)[0]
                name = f"{base}.{name}" if name else base
            if not _allowed(name):
                found.append(name)
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            found.append(node.id)
    return sorted(found)


def _allowed(module: str) -> bool:
    return module.split(".")[0] in ALLOWED or module.split(".")[:2] == ["server", "sync"]


@pytest.mark.parametrize(
    "path", sorted(SYNC.rglob("*.py")), ids=lambda path: str(path.relative_to(SYNC))
)
def test_engine_module_is_pure(path):
    package = ".".join(path.parent.relative_to(ROOT).parts)
    assert impurities(path.read_text(), package) == []


def test_the_check_catches_impure_imports():
    source = """
import flask
from flask_socketio import emit
import socketio.server
from sqlalchemy.orm import Session
from alembic import op
import socket, threading
import os
import random
from server.db import Database
from ..realtime import rooms
from . import text
from .ordering import Place
from server.sync.text import SentenceState
import dataclasses
from typing import Protocol
__import__("flask")
open("notes.txt")
"""
    assert impurities(source, "server.sync") == [
        "__import__",
        "alembic",
        "flask",
        "flask_socketio",
        "open",
        "os",
        "random",
        "server.db",
        "server.realtime",
        "socket",
        "socketio.server",
        "sqlalchemy.orm",
        "threading",
    ]
