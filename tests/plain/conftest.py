"""Plain-language tests use the API tests' small world (tests/api/conftest.py)."""

from tests.api.conftest import api, world  # noqa: F401
