"""The demo shows plain language: the starter glossary, and a few hints."""

from __future__ import annotations

from server.demo import load_demo
from server.glossary import services as glossary
from server.plain import services as plain
from server.policies.models import Policy


def test_demo_group_has_the_starter_glossary_and_the_policy_a_few_hints(db):
    load_demo(db)
    db.commit()
    policy = db.query(Policy).one()
    terms = {t.term for t in glossary.accepted_terms(db, policy.group_id)}
    assert {"EHCP", "SEND", "IASS", "Section F", "Direct payment"} <= terms
    found = plain.policy_plain(db, policy)
    assert 2 <= found.summary.flagged < found.summary.checked
    assert found.since_session is not None  # the demo's October session
