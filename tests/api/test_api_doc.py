"""docs/api.md is a contract: outside clients are written from it alone. Every
route in the OpenAPI document appears in it with its method, and its table of
status codes says exactly what the OpenAPI document says."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

DOC = ROOT / "docs" / "api.md"
ROW = re.compile(r"^\| `([A-Z]+) (/[^`]*)`( \(public\))? \| ([\d, ]+) \| ([\d, ]*) \|$", re.M)


def _shape(path: str) -> str:
    """A path with its placeholders blanked: the doc may say {id} for {group_id}."""
    return re.sub(r"\{[^}]*\}", "{}", path.removeprefix("/api/v1"))


@pytest.fixture
def spec(client):
    return client.get("/api/v1/openapi.json").get_json()


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                yield method.upper(), path, op


def test_every_route_appears_in_the_doc_with_its_method(spec):
    text = DOC.read_text()
    mentioned = {
        (method, _shape(path))
        for method, path in re.findall(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`?\s]*)", text)
    }
    missing = [
        f"{method} {path}"
        for method, path, _op in _operations(spec)
        if (method, _shape(path)) not in mentioned
    ]
    assert len(list(_operations(spec))) >= 90
    assert missing == []


def test_the_status_table_says_what_the_openapi_document_says(spec):
    table = {
        (method, _shape(path)): (
            bool(public),
            {int(c) for c in ok.replace(",", " ").split()},
            {int(c) for c in errors.replace(",", " ").split()},
        )
        for method, path, public, ok, errors in ROW.findall(DOC.read_text())
    }
    expected = {}
    for method, path, op in _operations(spec):
        codes = {int(c) for c in op["responses"] if c != "default"}
        expected[(method, _shape(path))] = (
            op.get("security") == [],
            {c for c in codes if c < 300},
            {c for c in codes if c >= 300},
        )
    assert table == expected


def test_every_route_but_the_public_ones_documents_401(spec):
    for method, path, op in _operations(spec):
        if op.get("security") != []:
            assert "401" in op["responses"], f"{method} {path}"
