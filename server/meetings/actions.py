"""Action items: what someone agreed to do, who, and by when. An open action shows
to its member and on every later session of the group until it is marked done;
that list is read here, not copied into agendas."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import utcnow
from server.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from server.events import publish
from server.groups.models import Membership
from server.meetings.changes import ActionGiven
from server.meetings.models import ActionItem, Meeting
from server.text.clean import clean_block

MAX_WHAT_CHARS = 2000


def get_action(db: Session, action_id: int) -> ActionItem:
    row = db.get(ActionItem, action_id)
    if row is None:
        raise NotFound("That action was not found.")
    return row


def add(
    db: Session,
    meeting: Meeting,
    by_id: int,
    *,
    what: str,
    assignee_id: int | None,
    due_on: date | None = None,
) -> ActionItem:
    what = clean_block(what or "").strip()
    if not what:
        raise InvalidInput("Say what is to be done.", fields={"what": ["Required."]})
    if len(what) > MAX_WHAT_CHARS:
        raise InvalidInput(
            f"An action can be up to {MAX_WHAT_CHARS} characters.",
            fields={"what": [f"Up to {MAX_WHAT_CHARS} characters."]},
        )
    if assignee_id is not None and not _is_member(db, meeting.group_id, assignee_id):
        raise InvalidInput(
            "An action can only be given to a member of this group.",
            fields={"assignee_id": ["Not a member of this group."]},
            code="not_a_member",
        )
    row = ActionItem(
        group_id=meeting.group_id,
        meeting_id=meeting.id,
        what=what,
        assignee_id=assignee_id,
        due_on=due_on,
        created_by_id=by_id,
    )
    db.add(row)
    db.flush()
    if assignee_id is not None:
        publish(db, ActionGiven(meeting.group_id, row.id, by_id))
    return row


def mark(db: Session, action: ActionItem, membership: Membership, done: bool) -> ActionItem:
    """The member it is for, or a facilitator, marks it done (or not done again)."""
    if not (membership.is_facilitator or membership.user_id == action.assignee_id):
        raise PermissionDenied("Only the person it is for or a facilitator can mark this action.")
    if done and action.done_at is not None:
        raise Conflict("This action is done already.", code="already_done")
    action.done_at = utcnow() if done else None
    action.done_by_id = membership.user_id if done else None
    db.flush()
    return action


def of_meeting(db: Session, meeting_id: int) -> list[ActionItem]:
    """The actions agreed in one session."""
    return list(
        db.scalars(
            select(ActionItem).where(ActionItem.meeting_id == meeting_id).order_by(ActionItem.id)
        )
    )


def carried_to(db: Session, meeting: Meeting) -> list[ActionItem]:
    """Open actions from earlier sessions of the group, to go over in this one.
    Once a session has closed it shows what was still open when it closed."""
    q = select(ActionItem).join(Meeting, Meeting.id == ActionItem.meeting_id)
    q = q.where(
        ActionItem.group_id == meeting.group_id,
        ActionItem.meeting_id != meeting.id,
        Meeting.starts_at < meeting.starts_at,
    )
    if meeting.closed_at is not None:
        q = q.where((ActionItem.done_at.is_(None)) | (ActionItem.done_at > meeting.closed_at))
    else:
        q = q.where(ActionItem.done_at.is_(None))
    return list(db.scalars(q.order_by(ActionItem.due_on, ActionItem.id)))


def open_for(db: Session, user_id: int, group_id: int | None = None) -> list[ActionItem]:
    """A member's open actions (in one group, or all their groups)."""
    q = select(ActionItem).where(ActionItem.assignee_id == user_id, ActionItem.done_at.is_(None))
    if group_id is not None:
        q = q.where(ActionItem.group_id == group_id)
    return list(db.scalars(q.order_by(ActionItem.due_on, ActionItem.id)))


def _is_member(db: Session, group_id: int, user_id: int) -> bool:
    return (
        db.scalar(
            select(Membership.id).where(
                Membership.group_id == group_id, Membership.user_id == user_id
            )
        )
        is not None
    )
