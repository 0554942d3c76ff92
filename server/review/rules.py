"""The group's decision rules, as pure functions: tally ballots, decide an outcome,
and say when a vote closes. No database, no clock of its own (callers pass `now`),
so every edge is tested directly.

The rules, in plain words (the same words the pages show):
- Quorum: at least `quorum_percent`% of the group's members must vote. Abstaining
  counts as voting.
- Threshold: a proposal passes when approvals are more than `threshold_percent`% of
  the approve and reject votes. Abstentions count towards the quorum only. At the
  default 50% that is a simple majority, and a tie does not pass.
- A vote closes at its closing time, or as soon as every member has voted, or
  whichever comes first, as the group chose; a facilitator may also close it.
- Only current members count: a ballot from someone who left the group is set
  aside, and the quorum is taken of the members at closing time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

from server.review.models import Choice, CloseMode, Outcome

QUORUM_RANGE = (0, 100)
THRESHOLD_RANGE = (0, 99)  # "more than 99%" means everyone who took a side approved
VOTE_DAYS_RANGE = (1, 90)


@dataclass(frozen=True)
class Rules:
    quorum_percent: int = 50
    threshold_percent: int = 50
    close_mode: CloseMode = CloseMode.DATE_OR_ALL_VOTED
    secret: bool = False


@dataclass(frozen=True)
class Tally:
    approve: int
    reject: int
    abstain: int
    members: int  # eligible voters: the group's members at the time of counting

    @property
    def cast(self) -> int:
        return self.approve + self.reject + self.abstain

    @property
    def decisive(self) -> int:
        return self.approve + self.reject

    def as_dict(self) -> dict:
        return {**asdict(self), "cast": self.cast}


def count(choices: Iterable[Choice | str], members: int) -> Tally:
    """Count current members' ballots (callers drop those of people who left)."""
    seen = [Choice(c) for c in choices]
    if len(seen) > members:
        raise ValueError("more ballots than members")
    return Tally(
        seen.count(Choice.APPROVE), seen.count(Choice.REJECT), seen.count(Choice.ABSTAIN), members
    )


def quorum_needed(members: int, quorum_percent: int) -> int:
    """How many must vote; at least one, so a vote nobody cast never passes."""
    return max(1, math.ceil(members * quorum_percent / 100))


def quorum_met(tally: Tally, rules: Rules) -> bool:
    return tally.cast >= quorum_needed(tally.members, rules.quorum_percent)


def passes(tally: Tally, rules: Rules) -> bool:
    """More than threshold% of approve+reject votes approve (integers: no rounding)."""
    return tally.approve > 0 and tally.approve * 100 > rules.threshold_percent * tally.decisive


def outcome(tally: Tally, rules: Rules) -> Outcome:
    if not quorum_met(tally, rules):
        return Outcome.NO_QUORUM
    return Outcome.APPROVED if passes(tally, rules) else Outcome.REJECTED


def due(now: datetime, closes_at: datetime | None, close_mode: CloseMode, tally: Tally) -> bool:
    """Whether a vote closes by itself now."""
    by_date = closes_at is not None and now >= closes_at
    all_voted = tally.members > 0 and tally.cast >= tally.members
    if close_mode == CloseMode.DATE:
        return by_date
    if close_mode == CloseMode.ALL_VOTED:
        return all_voted
    return by_date or all_voted


def explain(rules: Rules, members: int) -> str:
    """The rules in one plain sentence, for pages."""
    need = quorum_needed(members, rules.quorum_percent)
    return (
        f"At least {need} of {members} members must vote. It passes if more than "
        f"{rules.threshold_percent}% of those who approve or reject choose approve. "
        "Abstaining counts towards how many voted, not towards the result."
    )
