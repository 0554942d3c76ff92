"""Participation by role, for one policy or the whole group, over a chosen period.

For each role: members (now), times present at a session held in the period,
words in the current text written by them (server.participation.words: the text
now, whatever the period), edits (history revisions: a run of typing in one
sentence is one edit), comments, suggestions made, suggestions accepted (applied
to the text in the period), and votes cast. A member counts under the role they
have now; people who have left the group are not counted.

Edits are kept as running totals per member and day in the process
(server.participation.words' cache): a view reads only the revisions added since
the last one, never the whole history.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.errors import InvalidInput
from server.groups.models import ROLE_LABELS, Membership, Role
from server.history import store
from server.history.models import Revision
from server.meetings.models import Attendance, Meeting
from server.participation import words
from server.policies import oplog
from server.policies.models import Policy
from server.review.models import Ballot, Comment, Proposal, ProposalStatus, Vote

ROLES = [
    Role.PARENT_CARER,
    Role.YOUNG_PERSON,
    Role.EDUCATION,
    Role.HEALTH,
    Role.SOCIAL_CARE,
    Role.ADVICE_SERVICE,
    Role.FACILITATOR,
]
PLURAL = {
    Role.PARENT_CARER: "Parents and carers",
    Role.YOUNG_PERSON: "Young people",
    Role.EDUCATION: "Education staff",
    Role.HEALTH: "Health staff",
    Role.SOCIAL_CARE: "Social care staff",
    Role.ADVICE_SERVICE: "Advice service staff",
    Role.FACILITATOR: "Facilitators",
}
METRICS = {
    "members": "Members",
    "attended": "Times at a session",
    "words": "Words in the text now",
    "edits": "Edits",
    "comments": "Comments",
    "suggestions": "Suggestions made",
    "accepted": "Suggestions accepted",
    "votes": "Votes cast",
}
# A role is flagged when its share of a measure is under half its share of members.
FLAGGED = {
    "words": (
        "wrote {got}% of the words in the text now",
        "How could the group make more room for their words?",
    ),
    "attended": (
        "were {got}% of the people at sessions",
        "Could the dates, times or ways of joining suit them better?",
    ),
    "comments": (
        "made {got}% of the comments",
        "Is there an easier way for them to say what they think?",
    ),
}
MIN_MEMBERS_FOR_FLAGS = 3
BLOCK = 1000  # seqs per block of running edit totals
TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Period:
    """Whole days, both ends included; None means open-ended."""

    start: date | None = None
    end: date | None = None

    @property
    def since(self) -> datetime | None:
        return datetime.combine(self.start, time(), UTC) if self.start else None

    @property
    def until(self) -> datetime | None:
        return datetime.combine(self.end + timedelta(days=1), time(), UTC) if self.end else None

    def label(self) -> str:
        if self.start and self.end:
            return f"from {self.start:%-d %B %Y} to {self.end:%-d %B %Y}"
        if self.start:
            return f"since {self.start:%-d %B %Y}"
        if self.end:
            return f"up to {self.end:%-d %B %Y}"
        return "since the start"

    def where(self, column):
        out = []
        if self.since:
            out.append(column >= self.since)
        if self.until:
            out.append(column < self.until)
        return out


def parse_period(start: str | None, end: str | None) -> Period:
    """Read a period from two optional ISO dates (422 when they are not dates, or
    the start is after the end)."""
    out = []
    for name, value in (("start", start), ("end", end)):
        if value in (None, ""):
            out.append(None)
            continue
        try:
            out.append(date.fromisoformat(str(value).strip()))
        except ValueError:
            raise InvalidInput(
                f"Write the {name} date like 2026-01-31.", fields={name: ["Not a date."]}
            ) from None
    if out[0] and out[1] and out[0] > out[1]:
        raise InvalidInput(
            "The start date is after the end date.", fields={"start": ["After the end."]}
        )
    return Period(*out)


@dataclass
class Row:
    role: str
    label: str
    members: int = 0
    attended: int = 0
    words: int = 0
    edits: int = 0
    comments: int = 0
    suggestions: int = 0
    accepted: int = 0
    votes: int = 0

    def get(self, metric: str) -> int:
        return getattr(self, metric)


@dataclass
class Report:
    period: Period
    policies: list[Policy]
    sessions: int
    rows: list[Row]
    totals: Row
    flags: list[str] = field(default_factory=list)

    def share(self, row: Row, metric: str) -> int:
        """A row's share of a measure, as a whole percentage."""
        total = self.totals.get(metric)
        return round(100 * row.get(metric) / total) if total else 0


def edit_counts(db: Session, policy: Policy, period: Period) -> Counter:
    """Revisions per author in the period.

    The process keeps running totals per author (and, once a period has been asked
    for, per block of BLOCK seqs); a view adds only the revisions newer than the
    last it saw. A period maps to seqs through the history's snapshots
    (store.seq_at); whole blocks inside it come from the totals and the blocks at
    its two edges are counted exactly (at most 2 * BLOCK rows). So a view costs
    about the number of members, not the length of the history."""
    cache = words.cache_for(db, policy)
    with cache.lock:
        if not cache.edits_mark:  # first view: one pass over the (policy, author) index
            for author, n, top in db.execute(
                select(Revision.author_id, func.count(), func.max(Revision.first_seq))
                .where(Revision.policy_id == policy.id)
                .group_by(Revision.author_id)
            ):
                cache.edit_total[author] += n
                cache.edits_mark = max(cache.edits_mark, top)
        else:  # the few new rows, by (policy, seq)
            for author, seq in db.execute(
                select(Revision.author_id, Revision.first_seq).where(
                    Revision.policy_id == policy.id, Revision.first_seq > cache.edits_mark
                )
            ):
                cache.edit_total[author] += 1
                if cache.edit_blocks is not None:
                    cache.edit_blocks.setdefault(seq // BLOCK, Counter())[author] += 1
                cache.edits_mark = max(cache.edits_mark, seq)
        if not (period.since or period.until):
            return Counter({a: n for a, n in cache.edit_total.items() if n})
        newest = cache.edits_mark
        if cache.edit_blocks is None:  # the first period asked for: count blocks once
            cache.edit_blocks = {}
            block = Revision.first_seq // BLOCK
            for author, b, n in db.execute(
                select(Revision.author_id, block, func.count())
                .where(Revision.policy_id == policy.id, Revision.first_seq <= newest)
                .group_by(Revision.author_id, block)
            ):
                cache.edit_blocks.setdefault(int(b), Counter())[author] += n
        current = oplog.current_seq(db, policy.id)
        lo = store.seq_at(db, policy.id, period.since - TICK, current) if period.since else 0
        hi = store.seq_at(db, policy.id, period.until - TICK, current) if period.until else newest
        hi = min(hi, newest)
        out = Counter()
        if hi <= lo:
            return out
        first, last = (lo + 1) // BLOCK, hi // BLOCK
        for b in range(first + 1, last):
            out.update(cache.edit_blocks.get(b, {}))
        for b in {first, last}:
            low, high = max(lo, b * BLOCK - 1), min(hi, b * BLOCK + BLOCK - 1)
            out.update(
                dict(
                    db.execute(
                        select(Revision.author_id, func.count())
                        .where(
                            Revision.policy_id == policy.id,
                            Revision.first_seq > low,
                            Revision.first_seq <= high,
                        )
                        .group_by(Revision.author_id)
                    ).all()
                )
            )
        return Counter({a: n for a, n in out.items() if n})


def _by_user(db: Session, stmt) -> Counter:
    return Counter({uid: n for uid, n in db.execute(stmt) if uid is not None})


def report(db: Session, group_id: int, policies: list[Policy], period: Period) -> Report:
    """Participation by role for these policies of the group over the period."""
    roles = dict(
        db.execute(
            select(Membership.user_id, Membership.role).where(Membership.group_id == group_id)
        ).all()
    )
    ids = [p.id for p in policies]
    per: dict[str, Counter] = {m: Counter() for m in METRICS if m != "members"}
    for policy in policies:
        per["words"].update(words.word_totals(db, policy))
        per["edits"].update(edit_counts(db, policy, period))
    if ids:
        per["comments"] = _by_user(
            db,
            select(Comment.author_id, func.count())
            .where(
                Comment.policy_id.in_(ids),
                Comment.deleted_at.is_(None),
                *period.where(Comment.created_at),
            )
            .group_by(Comment.author_id),
        )
        per["suggestions"] = _by_user(
            db,
            select(Proposal.author_id, func.count())
            .where(Proposal.policy_id.in_(ids), *period.where(Proposal.created_at))
            .group_by(Proposal.author_id),
        )
        per["accepted"] = _by_user(
            db,
            select(Proposal.author_id, func.count())
            .where(
                Proposal.policy_id.in_(ids),
                Proposal.status == ProposalStatus.APPLIED,
                *period.where(Proposal.decided_at),
            )
            .group_by(Proposal.author_id),
        )
        per["votes"] = _by_user(
            db,
            select(Ballot.user_id, func.count())
            .join(Vote, Vote.id == Ballot.vote_id)
            .where(Vote.policy_id.in_(ids), *period.where(Ballot.cast_at))
            .group_by(Ballot.user_id),
        )
    held = [Meeting.group_id == group_id, Meeting.started_at.is_not(None)]
    held += period.where(Meeting.starts_at)
    sessions = db.scalar(select(func.count()).select_from(Meeting).where(*held)) or 0
    per["attended"] = _by_user(
        db,
        select(Attendance.user_id, func.count())
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(*held, Attendance.status == "present")
        .group_by(Attendance.user_id),
    )
    rows = {r: Row(r.value, PLURAL[r]) for r in ROLES}
    for role in roles.values():
        rows[Role(role)].members += 1
    for metric, counts in per.items():
        for uid, n in counts.items():
            role = roles.get(uid)
            if role is not None:
                row = rows[Role(role)]
                setattr(row, metric, row.get(metric) + n)
    totals = Row("all", "Everyone")
    for row in rows.values():
        for metric in METRICS:
            setattr(totals, metric, totals.get(metric) + row.get(metric))
    out = Report(period, policies, sessions, list(rows.values()), totals)
    out.flags = flags(out)
    return out


def flags(found: Report) -> list[str]:
    """Prompts for the group where a role's share of a measure is under half its
    share of the members: one per role, its low measures together, so the group
    reads each role once rather than a line per measure. About roles, never about a
    person."""
    total = found.totals.members
    if total < MIN_MEMBERS_FOR_FLAGS:
        return []
    out = []
    for row in found.rows:
        if not row.members or row.role == Role.FACILITATOR.value:
            continue
        fair = (100 * row.members / total) / 2
        low = []
        for metric, (what, ask) in FLAGGED.items():
            if not found.totals.get(metric):
                continue
            got = 100 * row.get(metric) / found.totals.get(metric)
            if got < fair:
                low.append((what.format(got=round(got)), ask))
        if low:
            *others, last = [what for what, _ in low]
            said = f"{', '.join(others)} and {last}" if others else last
            asks = " ".join(ask for _, ask in low)
            out.append(
                f"{row.label} are {found.share(row, 'members')}% of the members but {said}. {asks}"
            )
    return out


def csv_rows(found: Report) -> list[list]:
    """The figures as rows for a CSV file, a header first."""
    head = ["role", *METRICS.keys()]
    body = [[r.label, *(r.get(m) for m in METRICS)] for r in [*found.rows, found.totals]]
    return [head, *body]


def csv_text(found: Report) -> str:
    """The CSV file the page offers and the API returns: one place, one shape."""
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(found))
    return out.getvalue()


def csv_filename(policy_id: int | None, group_id: int) -> str:
    return (
        f"participation-policy-{policy_id}.csv"
        if policy_id
        else f"participation-group-{group_id}.csv"
    )


def labels() -> dict[str, str]:
    return {r.value: ROLE_LABELS[r] for r in ROLES}
