"""Domain packages stay free of Flask and sockets: the rules of review, history,
sessions and editing can be read, tested and reused without a web server. Only
server/web, server/api, server/realtime, server/exports and the app's wiring may
import them.

And the domain is layered: each package (or top-level module) imports only those
before it in ORDER, so nothing imports in a loop. The tables are one schema: any
package may import another's `models`. A lower package that must let a higher one
act in its transaction announces an event (server.events.within), as the op log
does for history and a closed session does for the "I statements" check."""

import ast
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[1] / "server"
DOMAIN = [
    "accounts",
    "groups",
    "policies",
    "presence",
    "editing",
    "sync",
    "text",
    "review",
    "plain",
    "glossary",
    "history",
    "meetings",
    "notifications",
    "mail",
    "publishing",
    "search",
    "participation",
]
# Lowest first. A new domain package or module needs its place here.
ORDER = [
    "events",
    "errors",
    "sqlite_writer",
    "db",
    "driver_sql",
    "text",
    "sync",
    "search",
    "mail",
    "accounts",
    "permissions",
    "groups",
    "policies",
    "editing",
    "history",
    "access",
    "presence",
    "review",
    "meetings",
    "participation",
    "glossary",
    "plain",
    "publishing",
    "notifications",
    "access_of",  # each kind of thing with its access check: above every kind
]
# The outer layers and the wiring, which may import anything of the domain.
OUTSIDE = {
    "web",
    "api",
    "realtime",
    "exports",
    "app",
    "cli",
    "demo",
    "jobs",
    "models",
    "extensions",
    "migrate",
    "config",
    "auth",
    "security",
    "http_errors",
    "offload",
    "json_input",
    "__init__",
}
WEB = (
    "flask",
    "flask_socketio",
    "socketio",
    "engineio",
    "flask_login",
    "flask_wtf",
    "flask_smorest",
    "werkzeug",
)


def web_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            )
        )
        found += [
            n
            for n in names
            if n.split(".")[0] in WEB
            or n.startswith(("server.web", "server.api", "server.realtime", "server.extensions"))
        ]
    return found


@pytest.mark.parametrize("package", DOMAIN)
def test_domain_package_imports_no_web_framework(package):
    offenders = {
        str(p.relative_to(SERVER)): web_imports(p)
        for p in sorted((SERVER / package).rglob("*.py"))
        if web_imports(p)
    }
    assert offenders == {}


def _unit(path: Path) -> str:
    rel = path.relative_to(SERVER)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def server_imports(path: Path) -> list[tuple[str, int]]:
    """Every `server.…` module this file imports (in functions too), relative
    imports resolved, with its line."""
    here = path.relative_to(SERVER.parent).with_suffix("").parts
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = ".".join(here[: len(here) - node.level])
                module = f"{base}.{module}" if module else base
            found += [(f"{module}.{a.name}", node.lineno) for a in node.names]
    return [(name, line) for name, line in found if name.startswith("server.")]


def test_every_domain_unit_has_a_place_in_the_order():
    units = {_unit(p) for p in SERVER.rglob("*.py")}
    assert units - OUTSIDE == set(ORDER), "place new domain packages in ORDER"
    assert set(DOMAIN) <= set(ORDER)


def test_the_domain_imports_only_downwards():
    rank = {name: n for n, name in enumerate(ORDER)}
    upwards = []
    for path in sorted(SERVER.rglob("*.py")):
        unit = _unit(path)
        if unit not in rank:
            continue
        for name, line in server_imports(path):
            parts = name.split(".")
            target = parts[1]
            if target == unit or target not in rank or "models" in parts[2:3]:
                continue
            if rank[target] > rank[unit]:
                upwards.append(f"{path.relative_to(SERVER)}:{line} {unit} -> {name}")
    assert upwards == []


def test_relative_imports_are_resolved():
    """The check above sees `from .x import y` as the module it names."""
    names = [n for n, _ in server_imports(SERVER / "sync" / "structure.py")]
    assert "server.sync.errors.Conflict" in names
