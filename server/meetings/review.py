"""Each member's review before a session: what changed since the last session's
checkpoint, new discussion, and what awaits their vote; and what they have
marked reviewed.

The items are the same for every member (computed once, also for the progress
view); only the marks differ. Every item has a key (what it is about) and a
stamp (how it is now). A mark keeps the stamp it was made against, so an item
counts as reviewed only while it is unchanged: a newer change to the same text
gives it a new stamp and it is unreviewed again. Reading what changed uses the
history store (a snapshot plus a bounded replay), never all of history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.errors import NotFound
from server.groups.models import Membership
from server.history import store
from server.history.diff import compare
from server.history.models import Checkpoint, Revision
from server.meetings.models import Meeting, ReviewMark
from server.meetings.services import last_started
from server.policies import oplog
from server.policies.models import Policy
from server.policies.services import policies_of
from server.review.models import Comment, Proposal, ProposalStatus, Vote


@dataclass
class Item:
    key: str
    stamp: str
    kind: str  # "sentence", "section", "thread", "proposal", "vote"
    reviewed: bool = False


@dataclass
class PolicyReview:
    policy: Policy
    since_seq: int
    changes: dict  # server.history.diff.compare's result, sentence rows keyed below
    threads: list[Comment]  # thread starters with activity since
    proposals: list[Proposal]  # new, open for discussion
    votes: list[Vote]  # awaiting decision
    items: list[Item] = field(default_factory=list)


@dataclass
class Review:
    since: Meeting | None  # the last session started; None: since each policy began
    policies: list[PolicyReview]

    @property
    def items(self) -> list[Item]:
        return [i for p in self.policies for i in p.items]

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.reviewed)


def _since_seq(db: Session, policy: Policy, meeting: Meeting | None) -> int:
    if meeting is None:
        return 0
    seq = db.scalar(
        select(Checkpoint.seq)
        .where(Checkpoint.policy_id == policy.id, Checkpoint.session_id == meeting.id)
        .order_by(Checkpoint.id)
        .limit(1)
    )
    return seq or 0


def _policy_review(db: Session, policy: Policy, meeting: Meeting | None) -> PolicyReview:
    since_seq = _since_seq(db, policy, meeting)
    since_at: datetime | None = meeting.started_at if meeting else None
    now_seq = oplog.current_seq(db, policy.id)
    changes = compare(
        store.state_at(db, policy.id, since_seq), store.state_at(db, policy.id, now_seq)
    )
    items: list[Item] = []
    for section in changes["sections"]:
        if section["change"] != "unchanged" and not section["text_changed"]:
            items.append(
                Item(
                    f"section:{section['id']}", f"{section['change']}:{section['title']}", "section"
                )
            )
        for row in section["sentences"]:
            if row["change"] == "unchanged":
                continue
            row["key"] = f"sentence:{row['id']}"
            items.append(Item(row["key"], f"{row['change']}:{row['text']}", "sentence"))
    by = changed_by(
        db, policy.id, since_seq, [int(i.key.split(":")[1]) for i in items if i.kind == "sentence"]
    )
    for section in changes["sections"]:
        for row in section["sentences"]:
            row["by"] = by.get(row["id"], []) if row["change"] != "unchanged" else []

    threads = _active_threads(db, policy.id, since_at)
    for root, stamp in threads.items():
        items.append(Item(f"thread:{root.id}", stamp, "thread"))

    proposals = list(
        db.scalars(
            select(Proposal)
            .where(Proposal.policy_id == policy.id, Proposal.status == ProposalStatus.OPEN)
            .order_by(Proposal.created_at)
        )
    )
    for p in proposals:
        items.append(Item(f"proposal:{p.id}", p.updated_at.isoformat(), "proposal"))
    votes = list(
        db.scalars(
            select(Vote)
            .where(Vote.policy_id == policy.id, Vote.closed_at.is_(None))
            .order_by(Vote.opened_at)
        )
    )
    for v in votes:
        items.append(Item(f"vote:{v.id}", "open", "vote"))
    return PolicyReview(policy, since_seq, changes, list(threads), proposals, votes, items)


def changed_by(
    db: Session, policy_id: int, since_seq: int, sentence_ids: list[int]
) -> dict[int, list[dict]]:
    """Who changed each sentence after `since_seq` ({id, name} in the order they
    first changed it), from the history's revisions (one query)."""
    if not sentence_ids:
        return {}
    wanted = set(sentence_ids)
    rows = db.execute(
        select(Revision.sentence_id, Revision.other_sentence_id, User.id, User.display_name)
        .join(User, User.id == Revision.author_id)
        .where(
            Revision.policy_id == policy_id,
            Revision.last_seq > since_seq,
            Revision.sentence_id.in_(wanted) | Revision.other_sentence_id.in_(wanted),
        )
        .order_by(Revision.first_seq, Revision.id)
    )
    out: dict[int, list[dict]] = {}
    for sentence_id, other_id, user_id, name in rows:
        for sid in {sentence_id, other_id} & wanted:
            people = out.setdefault(sid, [])
            if all(p["id"] != user_id for p in people):
                people.append({"id": user_id, "name": name})
    return out


def _active_threads(db: Session, policy_id: int, since: datetime | None) -> dict:
    """Threads with a comment written or changed since, and a stamp of their latest
    activity (so a new reply makes a reviewed thread new again)."""
    touched = func.max(func.coalesce(Comment.deleted_at, Comment.edited_at, Comment.created_at))
    root = func.coalesce(Comment.thread_id, Comment.id)
    query = select(root, func.count(), touched).where(Comment.policy_id == policy_id)
    if since is not None:
        query = query.where(
            func.coalesce(Comment.deleted_at, Comment.edited_at, Comment.created_at) >= since
        )
    rows = db.execute(query.group_by(root)).all()
    roots = (
        {c.id: c for c in db.scalars(select(Comment).where(Comment.id.in_([r[0] for r in rows])))}
        if rows
        else {}
    )
    out = {}
    for root_id, count, last in sorted(rows, key=lambda r: r[0]):
        if root_id in roots:
            out[roots[root_id]] = f"{count}:{last}"
    return out


def review_for(
    db: Session, group_id: int, user_id: int | None, *, pack_of: Meeting | None = None
) -> Review:
    """What changed since the last session, with this member's marks applied
    (user_id None: no marks, e.g. for counting progress). For a session's pack
    (`pack_of`) that has started: since the session started before it."""
    meeting = last_started(db, group_id)
    if pack_of is not None and pack_of.started_at is not None:
        meeting = db.scalar(
            select(Meeting)
            .where(
                Meeting.group_id == group_id,
                Meeting.id != pack_of.id,
                Meeting.started_at.is_not(None),
                Meeting.started_at <= pack_of.started_at,
            )
            .order_by(Meeting.started_at.desc(), Meeting.id.desc())
            .limit(1)
        )
    review = Review(meeting, [_policy_review(db, p, meeting) for p in policies_of(db, group_id)])
    if user_id is not None:
        _apply_marks(review, _marks(db, group_id, user_id))
    return review


def _marks(db: Session, group_id: int, user_id: int) -> dict[str, str]:
    rows = db.execute(
        select(ReviewMark.key, ReviewMark.stamp).where(
            ReviewMark.group_id == group_id, ReviewMark.user_id == user_id
        )
    )
    return {key: stamp for key, stamp in rows}


def _apply_marks(review: Review, marks: dict[str, str]) -> None:
    for item in review.items:
        item.reviewed = marks.get(item.key) == item.stamp


def mark(
    db: Session, group_id: int, user_id: int, keys: list[str], reviewed: bool = True
) -> Review:
    """Mark items reviewed (or not) as they are now. Every key must be an item of
    this group's current review, or nothing is marked."""
    review = review_for(db, group_id, user_id)
    by_key = {i.key: i for i in review.items}
    unknown = [k for k in keys if k not in by_key]
    if unknown or not keys:
        raise NotFound(
            f"That item is not in this group's review: {', '.join(unknown) or 'none given'}."
        )
    existing = {
        m.key: m
        for m in db.scalars(
            select(ReviewMark).where(
                ReviewMark.group_id == group_id,
                ReviewMark.user_id == user_id,
                ReviewMark.key.in_(keys),
            )
        )
    }
    for key in keys:
        row = existing.get(key)
        if not reviewed:
            if row is not None:
                db.delete(row)
            by_key[key].reviewed = False
            continue
        if row is None:
            db.add(ReviewMark(group_id=group_id, user_id=user_id, key=key, stamp=by_key[key].stamp))
        else:
            row.stamp = by_key[key].stamp
        by_key[key].reviewed = True
    db.flush()
    return review


@dataclass
class Progress:
    user_id: int
    name: str
    role: str
    reviewed: int
    total: int


def progress(db: Session, group_id: int) -> list[Progress]:
    """How much each member has reviewed. Counts only: no votes, secret or not."""
    review = review_for(db, group_id, None)
    items = {i.key: i.stamp for i in review.items}
    marks: dict[int, int] = {}
    for uid, key, stamp in db.execute(
        select(ReviewMark.user_id, ReviewMark.key, ReviewMark.stamp).where(
            ReviewMark.group_id == group_id
        )
    ):
        if items.get(key) == stamp:
            marks[uid] = marks.get(uid, 0) + 1
    rows = db.execute(
        select(Membership.user_id, User.display_name, Membership.role)
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id == group_id)
        .order_by(User.display_name)
    )
    return [
        Progress(uid, name, role.label, marks.get(uid, 0), len(items)) for uid, name, role in rows
    ]
