"""The full minutes of a session: the decisions recorded when it closed (with the
reasons members gave, unless the ballot was secret), who came, the notes on each
agenda item, and the actions agreed. Notes and attendance may still be written
after closing, so those parts are read from their tables each time."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.groups.models import Membership
from server.meetings import actions, agenda, attendance, notes
from server.meetings.models import ActionItem, Meeting
from server.review.models import Ballot, Vote


def members(db: Session, group_id: int) -> list[tuple[Membership, User]]:
    return list(
        db.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.group_id == group_id)
            .order_by(User.display_name, User.id)
        )
    )


def attendance_rows(db: Session, meeting: Meeting) -> list[dict]:
    """Every member of the group with what is recorded for them (status None: not
    recorded), by name."""
    known = attendance.of_meeting(db, meeting)
    out = []
    for membership, user in members(db, meeting.group_id):
        row = known.get(user.id)
        out.append(
            {
                "user_id": user.id,
                "name": user.display_name,
                "role": membership.role.value,
                "role_label": membership.role.label,
                "status": row.status if row else None,
                "mode": row.mode if row else None,
            }
        )
    return out


def reasons(db: Session, vote_ids: list[int]) -> dict[int, list[dict] | None]:
    """The reasons given on each vote, or None for a secret ballot."""
    if not vote_ids:
        return {}
    secret = dict(db.execute(select(Vote.id, Vote.secret).where(Vote.id.in_(vote_ids))).all())
    out: dict[int, list[dict] | None] = {i: (None if secret.get(i) else []) for i in vote_ids}
    for ballot, name in db.execute(
        select(Ballot, User.display_name)
        .join(User, User.id == Ballot.user_id)
        .where(Ballot.vote_id.in_(vote_ids), Ballot.reason != "")
        .order_by(Ballot.id)
    ):
        if out.get(ballot.vote_id) is not None:
            out[ballot.vote_id].append(
                {"name": name, "choice": ballot.choice.value, "reason": ballot.reason}
            )
    return out


def action_dict(row: ActionItem, names: dict[int, str]) -> dict:
    return {
        "id": row.id,
        "what": row.what,
        "assignee_id": row.assignee_id,
        "assignee": names.get(row.assignee_id) if row.assignee_id else None,
        "due_on": row.due_on.isoformat() if row.due_on else None,
        "meeting_id": row.meeting_id,
        "done": row.done_at is not None,
        "done_at": row.done_at.isoformat() if row.done_at else None,
    }


def noteable(db: Session, meeting: Meeting) -> list[tuple[str, str]]:
    """(key, title) of what a note can be written on: the facilitators' items, then
    the first page of the agenda's votes (server.meetings.agenda; bounded)."""
    own = [(item.key, item.title) for item in agenda.items(meeting)]
    return own + [(e.key, e.title) for e in agenda.votes(db, meeting).entries]


def item_notes(db: Session, meeting: Meeting) -> list[dict]:
    """Notes in agenda order: the facilitators' items, then notes on votes; a note on
    an item no longer on the agenda comes last."""
    written = notes.of_meeting(db, meeting.id)
    out = []
    for item in agenda.items(meeting):
        note = written.pop(item.key, None)
        out.append({"item": item.key, "title": item.title, "text": note.text if note else ""})
    on_votes = {int(k.split(":")[1]): k for k in written if k.startswith("vote:")}
    titles = agenda.vote_titles(db, list(on_votes))
    for vote_id, key in sorted(on_votes.items()):
        if vote_id in titles:
            out.append({"item": key, "title": titles[vote_id], "text": written.pop(key).text})
    for key, note in written.items():
        out.append({"item": key, "title": "An earlier agenda item", "text": note.text})
    return out


def full(db: Session, meeting: Meeting) -> dict:
    """Everything the minutes of a session hold, ready for a page, the API or a pack."""
    stored = meeting.minutes or {"decisions": [], "agreed_sections": []}
    why = reasons(db, [d["vote_id"] for d in stored.get("decisions", [])])
    decisions = [{**d, "reasons": why.get(d["vote_id"])} for d in stored.get("decisions", [])]
    agreed = actions.of_meeting(db, meeting.id)
    carried = actions.carried_to(db, meeting)
    names = dict(
        db.execute(
            select(User.id, User.display_name).where(
                User.id.in_({a.assignee_id for a in agreed + carried if a.assignee_id})
            )
        ).all()
    )
    rows = attendance_rows(db, meeting)
    return {
        "closed": meeting.closed_at is not None,
        "decisions": decisions,
        "agreed_sections": stored.get("agreed_sections", []),
        "attendance": rows,
        "attendance_summary": attendance.summary(attendance.of_meeting(db, meeting)),
        "notes": [n for n in item_notes(db, meeting) if n["text"]],
        "actions": [action_dict(a, names) for a in agreed],
        "carried_actions": [action_dict(a, names) for a in carried],
    }
