"""The ladder of co-production (Trafford's simplified ladder): members place the
work on a policy on a rung; the group sees the spread and how it changes."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import InvalidInput
from server.participation.models import LadderPlacement
from server.policies.models import Policy

# (key, name, the guide's words, what it means in plain words), lowest first.
RUNGS = [
    (
        "no_engagement",
        "No engagement",
        "Done to people",
        "Families are not involved. Things are decided and done without them.",
    ),
    (
        "information",
        "Information",
        "We tell you",
        "Families are told what is happening, but do not shape it.",
    ),
    (
        "consultation",
        "Consultation",
        "You give us a choice, then we decide",
        "Families are asked what they think, then others decide.",
    ),
    (
        "participation",
        "Participation",
        "We decide together",
        "Families and professionals decide together what should happen.",
    ),
    (
        "coproduction",
        "Co-production",
        "We develop, decide, design and do together",
        "Families and professionals work as equal partners from the start to the end.",
    ),
]
RUNG_KEYS = [r[0] for r in RUNGS]
RUNG_NAMES = {r[0]: r[1] for r in RUNGS}


def place(db: Session, policy: Policy, user_id: int, rung: str) -> LadderPlacement:
    if rung not in RUNG_KEYS:
        raise InvalidInput(
            "Choose one of the rungs of the ladder.",
            fields={"rung": [", ".join(RUNG_KEYS) + "."]},
        )
    row = LadderPlacement(policy_id=policy.id, user_id=user_id, rung=rung)
    db.add(row)
    db.flush()
    return row


def _placements(db: Session, policy_id: int) -> list[LadderPlacement]:
    return list(
        db.scalars(
            select(LadderPlacement)
            .where(LadderPlacement.policy_id == policy_id)
            .order_by(LadderPlacement.placed_at, LadderPlacement.id)
        )
    )


def _spread(latest: dict[int, str]) -> dict[str, int]:
    counts = Counter(latest.values())
    return {k: counts.get(k, 0) for k in RUNG_KEYS}


def summary(db: Session, policy: Policy, user_id: int | None = None) -> dict:
    """The spread now (each member's latest placement), the spread at the end of
    each month someone placed it, and the member's own latest placement."""
    latest: dict[int, str] = {}
    months: dict[str, dict[int, str]] = {}
    for row in _placements(db, policy.id):
        latest[row.user_id] = row.rung
        months[_month(row.placed_at)] = dict(latest)
    return {
        "now": _spread(latest),
        "placed": len(latest),
        "over_time": [{"month": m, "spread": _spread(v)} for m, v in sorted(months.items())],
        "mine": latest.get(user_id) if user_id is not None else None,
    }


def _month(moment: datetime) -> str:
    return f"{moment:%Y-%m}"
