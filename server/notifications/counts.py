"""Each member's own "what changed" count: the review page's items
(server/meetings/review.py), built once for the group, less what each member
has marked reviewed. One build and one query for the marks, whatever the size of
the group (bench/notifications.py measures 200 members, 1,000 changes)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.meetings.models import ReviewMark
from server.meetings.review import review_for


def changed_counts(db: Session, group_id: int, user_ids: list[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    items = review_for(db, group_id, None).items
    marks: dict[int, dict[str, str]] = {uid: {} for uid in user_ids}
    for uid, key, stamp in db.execute(
        select(ReviewMark.user_id, ReviewMark.key, ReviewMark.stamp).where(
            ReviewMark.group_id == group_id, ReviewMark.user_id.in_(user_ids)
        )
    ):
        marks[uid][key] = stamp
    return {uid: sum(1 for i in items if marks[uid].get(i.key) != i.stamp) for uid in user_ids}
