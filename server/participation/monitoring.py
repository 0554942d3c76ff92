"""The monitoring record of a policy: one place that gathers who took part by
role, the sessions and who came, the decisions, the "I statements" results and
the ladder over time, and what the facilitator writes the group learned. For the
partners' own reporting (page, DOCX and CSV)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import utcnow
from server.errors import InvalidInput
from server.meetings import attendance
from server.meetings.models import Meeting
from server.participation import figures, ladder, statements
from server.participation.models import Learning
from server.policies.models import Policy, Section
from server.review.models import Vote
from server.text.clean import clean_block

MAX_LEARNING = 20_000


def learning_of(db: Session, policy_id: int) -> Learning | None:
    return db.get(Learning, policy_id)


def write_learning(db: Session, policy: Policy, text: str, by_id: int) -> Learning:
    text = clean_block(text or "")
    if len(text) > MAX_LEARNING:
        raise InvalidInput(
            f"This can be up to {MAX_LEARNING} characters.",
            fields={"text": [f"Up to {MAX_LEARNING} characters."]},
        )
    row = learning_of(db, policy.id)
    if row is None:
        row = Learning(policy_id=policy.id)
        db.add(row)
    row.text, row.updated_by_id, row.updated_at = text, by_id, utcnow()
    db.flush()
    return row


def sessions_with_attendance(db: Session, group_id: int) -> list[dict]:
    out = []
    for m in db.scalars(
        select(Meeting)
        .where(Meeting.group_id == group_id, Meeting.started_at.is_not(None))
        .order_by(Meeting.starts_at, Meeting.id)
    ):
        out.append(
            {
                "id": m.id,
                "title": m.title,
                "starts_at": m.starts_at,
                "state": m.state,
                "attendance": attendance.summary(attendance.of_meeting(db, m)),
            }
        )
    return out


def decisions(db: Session, policy_id: int) -> list[dict]:
    return [
        {
            "vote_id": v.id,
            "subject": v.subject.value,
            "section": title,
            "outcome": v.outcome.value if v.outcome else None,
            "closed_at": v.closed_at,
        }
        for v, title in db.execute(
            select(Vote, Section.title)
            .join(Section, Section.id == Vote.section_id)
            .where(Vote.policy_id == policy_id, Vote.closed_at.is_not(None))
            .order_by(Vote.closed_at, Vote.id)
        )
    ]


def record(db: Session, policy: Policy) -> dict:
    learning = learning_of(db, policy.id)
    return {
        "policy": policy,
        "participation": figures.report(db, policy.group_id, [policy], figures.Period()),
        "sessions": sessions_with_attendance(db, policy.group_id),
        "decisions": decisions(db, policy.id),
        "checks": statements.results(db, policy.group_id),
        "ladder": ladder.summary(db, policy),
        "learning": learning.text if learning else "",
        "made_at": utcnow(),
    }


def csv_rows(found: dict) -> list[list]:
    """The record as one table: a first column says which part each row is from."""
    rows: list[list] = [["part", "item", "measure", "value"]]
    for r in [*found["participation"].rows, found["participation"].totals]:
        for metric in figures.METRICS:
            rows.append(["participation", r.label, metric, r.get(metric)])
    for s in found["sessions"]:
        for key, n in s["attendance"].items():
            rows.append(["sessions", f"{s['starts_at']:%Y-%m-%d} {s['title']}", key, n])
    for d in found["decisions"]:
        rows.append(["decisions", d["section"], d["subject"], d["outcome"] or "open"])
    texts = {s["id"]: s["text"] for s in found["checks"]["statements"]}
    for session in found["checks"]["sessions"]:
        for st in session["statements"]:
            if st["shown"]:
                for answer, n in st["counts"].items():
                    rows.append(
                        ["checks", f"{session['title']}: {texts[st['statement_id']]}", answer, n]
                    )
    for point in found["ladder"]["over_time"]:
        for rung, n in point["spread"].items():
            rows.append(["ladder", point["month"], rung, n])
    rows.append(["learning", "", "text", found["learning"]])
    return rows
