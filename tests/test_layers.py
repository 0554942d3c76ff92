"""Domain packages stay free of Flask and sockets: the rules of review, history,
sessions and editing can be read, tested and reused without a web server. Only
server/web, server/api, server/realtime, server/exports and the app's wiring may
import them."""

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
