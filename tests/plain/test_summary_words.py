"""The policy page's plain-language summary says changes in plain words: one
sentence is "1 more sentence", and a reading age going up says it got harder."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import render_template

from server.plain.services import Change, PolicyPlain, Summary


def _summary(flagged: int, age: float) -> Summary:
    return Summary(sentences=10, checked=10, flagged=flagged, median_age=age)


def _rendered(app, then: Summary, now: Summary) -> str:
    change = Change("the last session", datetime(2026, 11, 4, tzinfo=UTC), then, now)
    found = PolicyPlain(now, {}, change, None)
    with app.test_request_context("/"):
        html = render_template("policies/_plain_summary.html", pp=found, policy=_Policy())
    return " ".join(html.split())


class _Policy:
    group_id = 1


def test_one_more_sentence_and_harder_to_read(app):
    html = _rendered(app, _summary(2, 11.0), _summary(3, 11.4))
    assert (
        "Since the last session: 1 more sentence with hints; harder to read: half of the "
        "sentences now suit someone 0.4 years older." in html
    )
    assert "Someone aged about 11 can read half of the sentences" in html


def test_fewer_sentences_and_easier_to_read(app):
    html = _rendered(app, _summary(5, 13.0), _summary(3, 12.0))
    assert (
        "2 fewer sentences with hints; easier to read: half of the sentences now suit "
        "someone 1 year younger." in html
    )
