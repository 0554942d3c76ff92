"""The OpenAPI document: valid OpenAPI 3, public, and complete."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from server.api import blueprints

PUBLIC = {
    ("post", "/api/v1/tokens"),
    ("get", "/api/v1/invitations/{token}"),
    ("post", "/api/v1/invitations/{token}/accept"),
    ("post", "/api/v1/password-resets/{token}"),
}


@pytest.fixture
def spec(client):
    reply = client.get("/api/v1/openapi.json")  # no token: the document is public
    assert reply.status_code == 200
    return reply.get_json()


def test_the_document_is_valid_openapi_3(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "Codraft API"


def test_it_lists_every_route_of_the_api_blueprints(app, spec):
    names = {b.name for b in blueprints()}
    routes = {
        (method.lower(), re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in names
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (method, path)
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    }
    assert len(routes) >= 39  # not vacuous
    assert documented == routes


def test_every_operation_is_tagged_summarised_and_says_how_it_fails(spec):
    tags = {t["name"] for t in spec["tags"]}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            where = f"{method.upper()} {path}"
            assert op["summary"], where
            assert len(op["tags"]) == 1 and op["tags"][0] in tags, where
            assert "default" in op["responses"], where
            statuses = set(op["responses"])
            if (method, path) in PUBLIC:
                assert op["security"] == [], where
            else:
                assert "security" not in op and "401" in statuses, where
            if "{" in path:
                assert "404" in statuses, where
            if "requestBody" in op:
                assert {"400", "413", "415", "422"} <= statuses, where


def test_the_bearer_scheme_and_the_error_body_are_documented(spec):
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    schemas = spec["components"]["schemas"]
    assert schemas["Error"]["properties"]["error"]["$ref"] == "#/components/schemas/ErrorBody"
    assert set(schemas["ErrorBody"]["properties"]) == {"code", "message", "fields"}
    not_found = spec["components"]["responses"]["NOT_FOUND"]
    assert not_found["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_every_schema_and_field_is_described(spec):
    for name, schema in spec["components"]["schemas"].items():
        if name == "PaginationMetadata":
            continue  # flask-smorest's own, always listed; we do not paginate
        assert schema.get("description"), name
        for field, prop in schema["properties"].items():
            assert prop.get("description") or "$ref" in prop, f"{name}.{field}"
