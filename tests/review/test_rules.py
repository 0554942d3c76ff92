"""The decision rules, edge by edge (pure functions, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from server.review import rules as r
from server.review.models import CloseMode, Outcome

A, R, X = "approve", "reject", "abstain"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
MAJORITY = r.Rules(quorum_percent=50, threshold_percent=50)


def decide(choices, members, rules=MAJORITY):
    return r.outcome(r.count(choices, members), rules)


def test_simple_majority_passes():
    assert decide([A, A, R], 5) == Outcome.APPROVED


def test_a_tie_does_not_pass():
    assert decide([A, R], 4) == Outcome.REJECTED
    assert decide([A, A, R, R], 4) == Outcome.REJECTED


def test_quorum_not_met():
    assert decide([A, A], 5) == Outcome.NO_QUORUM  # 2 of 5 < 50%
    assert decide([A, A, A], 5) == Outcome.APPROVED  # 3 of 5 meets ceil(2.5)


def test_quorum_is_rounded_up_and_at_least_one():
    assert r.quorum_needed(5, 50) == 3
    assert r.quorum_needed(4, 50) == 2
    assert r.quorum_needed(10, 0) == 1
    assert decide([], 10, r.Rules(quorum_percent=0)) == Outcome.NO_QUORUM


def test_abstentions_count_for_quorum_not_threshold():
    assert decide([A, X, X], 5) == Outcome.APPROVED  # quorum 3; 1 of 1 decisive approves
    assert decide([A, R, X, X], 5) == Outcome.REJECTED  # tie among decisive votes


def test_all_abstain_is_not_approval():
    assert decide([X, X, X], 4) == Outcome.REJECTED


def test_threshold_two_thirds():
    two_thirds = r.Rules(quorum_percent=0, threshold_percent=66)
    assert decide([A, A, R], 3, two_thirds) == Outcome.APPROVED  # 66.7% > 66%
    assert decide([A, R], 3, two_thirds) == Outcome.REJECTED


def test_unanimity_at_threshold_99():
    everyone = r.Rules(quorum_percent=100, threshold_percent=99)
    assert decide([A, A, A], 3, everyone) == Outcome.APPROVED
    assert decide([A, A, R], 3, everyone) == Outcome.REJECTED
    assert decide([A, A, X], 3, everyone) == Outcome.APPROVED  # abstaining does not block


def test_more_ballots_than_members_is_refused():
    with pytest.raises(ValueError):
        r.count([A, A, A], 2)


def test_unknown_choice_is_refused():
    with pytest.raises(ValueError):
        r.count(["maybe"], 3)


@pytest.mark.parametrize(
    ("mode", "date_passed", "all_voted", "expected"),
    [
        (CloseMode.DATE, False, True, False),
        (CloseMode.DATE, True, False, True),
        (CloseMode.ALL_VOTED, True, False, False),
        (CloseMode.ALL_VOTED, False, True, True),
        (CloseMode.DATE_OR_ALL_VOTED, False, False, False),
        (CloseMode.DATE_OR_ALL_VOTED, True, False, True),
        (CloseMode.DATE_OR_ALL_VOTED, False, True, True),
    ],
)
def test_when_a_vote_closes(mode, date_passed, all_voted, expected):
    closes_at = NOW - timedelta(seconds=1) if date_passed else NOW + timedelta(days=1)
    tally = r.count([A, A, A] if all_voted else [A, A], 3)
    assert r.due(NOW, closes_at, mode, tally) is expected


def test_closing_time_is_inclusive():
    assert r.due(NOW, NOW, CloseMode.DATE, r.count([], 3))


def test_a_group_of_nobody_never_closes_as_all_voted():
    assert not r.due(NOW, None, CloseMode.ALL_VOTED, r.count([], 0))


def test_explain_in_plain_words():
    text = r.explain(MAJORITY, 7)
    assert "At least 4 of 7 members must vote" in text
    assert "more than 50%" in text
