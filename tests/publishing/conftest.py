"""Publishing fixtures: the demo policy (what the issue asks every format to carry),
readers that turn each exported format back into headings and paragraphs, and the
policy's text as the database holds it, to compare with."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api, world  # noqa: F401  (world: a fixture)
from tests.browser.conftest import fast_passwords, open_session  # noqa: F401  (fixtures)


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def demo(db, monkeypatch):
    """The demo group and policy, with cheap password hashes (the demo's own
    loading is what is under test, not argon2)."""
    from argon2 import PasswordHasher

    from server import demo as demo_module
    from server.accounts import passwords
    from server.policies.models import Policy

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", lambda: cheap)
    demo_module.load_demo(db)
    db.commit()
    return db.get(Policy, demo_module.demo_policy_id(db))


def expected_text(db, policy) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    """[(part title, [(section title, [sentences])])] straight from the tables."""
    from server.policies.services import policy_outline, sentences_of

    outline = policy_outline(db, policy)
    text = sentences_of(db, [s.id for _p, secs in outline for s in secs])
    return [
        (part.title, [(s.title, [x.text for x in text[s.id]]) for s in secs])
        for part, secs in outline
    ]
