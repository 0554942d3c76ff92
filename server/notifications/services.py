"""Telling members: record a notification for each person who should hear of
something, list them, mark them read, and each member's email choices.

Who hears of what is decided in server/notifications/rules.py, once per kind;
`tell` then applies the rule every kind shares: only members of the group (who
may all read everything in it), never the person who caused it, and never the
same thing twice (a notification's key is unique per member). A notification a
member wants by email at once is put in the outbox in the same transaction, so
the two are recorded together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.db import utcnow
from server.errors import InvalidInput, NotFound
from server.events import publish
from server.groups.models import Group, Membership
from server.notifications import outbox
from server.notifications.delivery import Delivery
from server.notifications.emails import render
from server.notifications.kinds import DIGEST, KINDS, NOW, OFF, valid_choice
from server.notifications.models import MailChoice, Notification
from server.notifications.store import insert_new

PAGE = 50


@dataclass(frozen=True)
class NotificationsChanged:
    """These members' unread counts changed (delivered after commit; the realtime
    layer tells their open pages)."""

    user_ids: tuple[int, ...]


@dataclass(frozen=True)
class Notice:
    """Something worth telling, before it is addressed to anyone."""

    kind: str
    key: str  # what it is about, e.g. "mention:12"; one notification per member and key
    group_id: int
    link: str  # a path on this server, to the exact place
    text: str  # plain words
    actor_id: int | None = None  # who caused it: never told
    texts: dict | None = None  # per-member words where they differ (user id -> text)
    # Things it names, each linked: user id -> [{"text", "link"}] (e.g. votes not cast)
    items: dict | None = None


@dataclass(frozen=True)
class Told:
    notification_id: int
    user_id: int


def tell(db: Session, notice: Notice, user_ids, delivery: Delivery | None) -> list[Told]:
    """Record the notice for each of `user_ids` who is in the group and did not
    cause it; email those who chose "at once". Returns who was told (new rows only)."""
    wanted = {u for u in user_ids if u is not None and u != notice.actor_id}
    if not wanted:
        return []
    members = set(
        db.scalars(
            select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.group_id == notice.group_id,
                Membership.user_id.in_(wanted),
                User.is_active.is_(True),
            )
        )
    )
    if not members:
        return []
    choices = mail_choices(db, list(members), notice.kind)
    now = utcnow()
    rows = [
        {
            "user_id": uid,
            "group_id": notice.group_id,
            "kind": notice.kind,
            "key": notice.key,
            "text": (notice.texts or {}).get(uid, notice.text),
            "link": notice.link,
            "items": (notice.items or {}).get(uid) or None,
            "actor_id": notice.actor_id,
            "created_at": now,
            "mail": choices[uid] if delivery is not None and delivery.mail_on else OFF,
        }
        for uid in sorted(members)
    ]
    inserted = insert_new(db, Notification, rows, returning=(Notification.id, Notification.user_id))
    told = [Told(nid, uid) for nid, uid in inserted]
    if told:
        publish(db, NotificationsChanged(tuple(t.user_id for t in told)))
    if delivery is not None and delivery.mail_on:
        at_once = [t.notification_id for t in told if choices[t.user_id] == NOW]
        if at_once:
            _mail_now(db, delivery, at_once)
    return told


def linked_items(delivery: Delivery, note: Notification) -> list[dict]:
    """The things a notification names, with links that work from an email."""
    return [{"text": i["text"], "url": delivery.url(i["link"])} for i in note.items or ()]


def _mail_now(db: Session, delivery: Delivery, notification_ids: list[int]) -> None:
    group_names: dict[int, str] = {}
    mails, notes = [], []
    for note, user in db.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.id.in_(notification_ids))
    ):
        if note.group_id not in group_names:
            group_names[note.group_id] = db.get(Group, note.group_id).name
        email = render(
            "notice",
            delivery,
            user_id=user.id,
            kind=note.kind,
            name=user.display_name,
            text=note.text,
            url=delivery.url(note.link),
            linked=linked_items(delivery, note),
            group=group_names[note.group_id],
            kind_label=KINDS[note.kind].label,
        )
        mails.append((f"notification:{note.id}", user, email))
        notes.append(note)
    outbox.record_many(db, mails)
    stamp = utcnow()
    for note in notes:
        note.mailed_at = stamp
    db.flush()


# --- email choices ------------------------------------------------------------------------


def mail_choices(db: Session, user_ids: list[int], kind: str) -> dict[int, str]:
    """Each member's choice for one kind (the kind's default where they made none)."""
    chosen = dict(
        db.execute(
            select(MailChoice.user_id, MailChoice.choice).where(
                MailChoice.kind == kind, MailChoice.user_id.in_(user_ids)
            )
        ).all()
    )
    return {uid: chosen.get(uid, KINDS[kind].default) for uid in user_ids}


def choices_of(db: Session, user_id: int) -> dict[str, str]:
    chosen = dict(
        db.execute(
            select(MailChoice.kind, MailChoice.choice).where(MailChoice.user_id == user_id)
        ).all()
    )
    return {name: chosen.get(name, kind.default) for name, kind in KINDS.items()}


def set_choices(db: Session, user_id: int, choices: dict[str, str]) -> dict[str, str]:
    """Change some of a member's choices; all are checked before any is saved."""
    bad = {k: ["Unknown kind or choice."] for k, c in choices.items() if not valid_choice(k, c)}
    if bad:
        raise InvalidInput(
            "Choose at once, daily or not by email for each kind of notification.", fields=bad
        )
    for kind, choice in choices.items():
        row = db.get(MailChoice, (user_id, kind))
        if row is None:
            db.add(MailChoice(user_id=user_id, kind=kind, choice=choice))
        else:
            row.choice = choice
    db.flush()
    return choices_of(db, user_id)


def unsubscribe(db: Session, user_id: int, kind: str) -> str | None:
    """Stop emails of one kind (from a signed link). Returns the kind's label, or
    None when the account or kind no longer exists (nothing changed)."""
    if db.get(User, user_id) is None:
        return None
    if kind == "digest":  # the daily email: everything that went into it
        daily = [k for k, c in choices_of(db, user_id).items() if c == DIGEST]
        set_choices(db, user_id, dict.fromkeys(daily, OFF))
        return "The daily email"
    if kind not in KINDS:
        return None
    set_choices(db, user_id, {kind: OFF})
    return KINDS[kind].label


# --- reading ------------------------------------------------------------------------------


def _visible(user_id: int):
    """A member's notifications from groups they are still in."""
    return (
        select(Notification)
        .join(
            Membership,
            (Membership.group_id == Notification.group_id)
            & (Membership.user_id == Notification.user_id),
        )
        .where(Notification.user_id == user_id)
    )


def unread_count(db: Session, user_id: int) -> int:
    return unread_counts(db, [user_id])[user_id]


def unread_counts(db: Session, user_ids: list[int]) -> dict[int, int]:
    """Unread notifications per member (from groups they are still in), one query."""
    found = dict(
        db.execute(
            select(Notification.user_id, func.count())
            .join(
                Membership,
                (Membership.group_id == Notification.group_id)
                & (Membership.user_id == Notification.user_id),
            )
            .where(Notification.user_id.in_(user_ids), Notification.read_at.is_(None))
            .group_by(Notification.user_id)
        ).all()
    )
    return {uid: found.get(uid, 0) for uid in user_ids}


def notifications_of(
    db: Session, user_id: int, *, before_id: int | None = None, unread_only: bool = False
) -> list[Notification]:
    """Newest first, PAGE at a time (`before_id`: the page after that one)."""
    stmt = _visible(user_id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    if before_id is not None:
        stmt = stmt.where(Notification.id < before_id)
    return list(db.scalars(stmt.order_by(Notification.id.desc()).limit(PAGE)))


def get_own(db: Session, user_id: int, notification_id: int) -> Notification:
    row = db.scalar(_visible(user_id).where(Notification.id == notification_id))
    if row is None:
        raise NotFound("That notification was not found.")
    return row


def mark_read(db: Session, note: Notification, read: bool = True) -> Notification:
    before = note.read_at
    note.read_at = (note.read_at or utcnow()) if read else None
    db.flush()
    if (before is None) != (note.read_at is None):
        publish(db, NotificationsChanged((note.user_id,)))
    return note


def mark_all_read(db: Session, user_id: int) -> int:
    done = db.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    db.flush()
    if done:
        publish(db, NotificationsChanged((user_id,)))
    return done


def mark_read_at(db: Session, user_id: int, path: str) -> int:
    """The member opened this page: what pointed at it has been read."""
    path = (path or "").split("#", 1)[0].split("?", 1)[0]
    if not path.startswith("/"):
        return 0
    unread = db.scalars(
        select(Notification.id).where(
            Notification.user_id == user_id,
            Notification.read_at.is_(None),
            (Notification.link == path) | Notification.link.startswith(path + "#"),
        )
    ).all()
    if unread:
        db.execute(
            update(Notification)
            .where(Notification.id.in_(unread))
            .values(read_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        publish(db, NotificationsChanged((user_id,)))
    return len(unread)


# --- the daily digest ---------------------------------------------------------------------


def pending_digest(db: Session, before: datetime) -> dict[int, list[Notification]]:
    """Notifications waiting for each member's daily email."""
    out: dict[int, list[Notification]] = {}
    for note in db.scalars(
        select(Notification)
        .where(
            Notification.mail == DIGEST,
            Notification.mailed_at.is_(None),
            Notification.read_at.is_(None),
            Notification.created_at <= before,
        )
        .order_by(Notification.user_id, Notification.id)
    ):
        out.setdefault(note.user_id, []).append(note)
    return out
