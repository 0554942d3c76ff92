"""Assertions shared by the API tests."""

from __future__ import annotations


def error(reply, status: int, code: str | None = None) -> dict:
    """Assert an error reply in the API's one format, and return its body."""
    body = reply.get_json()
    assert reply.status_code == status, body
    assert set(body) == {"error"}, body
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]
