"""A suggestion is titled by its words, never by a sentence number (issue 17)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from server.review.proposals import title

DECISION = "You can ask us to look at the decision again within 28 days."


def suggestion(kind, text="", *base):
    return SimpleNamespace(kind=kind, text=text, base=[{"text": b} for b in base])


@pytest.mark.parametrize(
    ("made", "expected"),
    [
        (
            suggestion("replace", DECISION.replace("28", "20 school"), DECISION),
            "‘within 28 days’ → ‘within 20 school days’",
        ),
        (
            suggestion("replace", "Pay it every month.", "Pay it monthly."),
            "‘it monthly’ → ‘it every month’",
        ),
        (suggestion("insert", "Ask us first."), "Add ‘Ask us first.’"),
        (
            suggestion("delete", "", "Ask us first.", "Then wait."),
            "Remove ‘Ask us first.’ and 1 more",
        ),
        (suggestion("rewrite", "All new."), "Rewrite the whole section"),
        (suggestion("insert", "word " * 30), "Add ‘" + " ".join(["word"] * 9) + "…’"),
        (  # cut after a whole word, never inside one, nor after an opening bracket
            suggestion(
                "insert",
                "The Information, Advice and Support service (IASS) can help you.",
            ),
            "Add ‘The Information, Advice and Support service…’",
        ),
        (
            suggestion(
                "replace",
                "We check with you how the money is used every three months.",
                "We check how the money is used every three months.",
            ),
            "‘check how’ → ‘check with you how’",
        ),
    ],
)
def test_titles_quote_the_words(made, expected):
    assert title(made) == expected
