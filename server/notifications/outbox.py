"""The outbox: every email is a row, committed before anyone tries to send it.

Sending (`send_due`, run by server/jobs.py) goes row by row:

1. claim: `UPDATE outbox SET claimed_at=now WHERE id=? AND sent_at IS NULL AND
   (claimed_at IS NULL OR claimed_at < now - LEASE)`, committed. Of several
   processes, exactly one gets rowcount 1 (the UPDATE is atomic on SQLite and on
   PostgreSQL, which re-checks the WHERE after waiting for another's lock).
2. hand the message to the SMTP server;
3. mark it sent (`sent_at`) and commit, right after the SMTP server accepted it.

A process that dies between 1 and 2 leaves a claim that lapses after LEASE; the
mail is then sent by whoever runs next: never lost. The one window for a repeat
is a crash after the SMTP server accepted the mail and before step 3 commits
(one local commit, milliseconds): the mail would go again after LEASE, with the
same Message-ID so a mail server or client can drop the copy. That is
at-least-once, deliberately: losing a reset link or a reminder is worse than a
rare duplicate. An SMTP failure puts the row back with a growing delay
(BACKOFF), and after MAX_ATTEMPTS it is marked failed and kept for a person to
look at.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.db import utcnow
from server.mail.sending import Connection, build
from server.mail.settings import SmtpSettings
from server.notifications.models import OutboxMail
from server.notifications.store import insert_new

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 10
BATCH = 50


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min ... capped at 2 hours: about a day of trying in all."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 7200))


def record(db: Session, key: str, user: User, email) -> bool:
    """Put one email in the outbox unless one with this key is there already."""
    return bool(record_many(db, [(key, user, email)]))


def record_many(db: Session, mails: list[tuple[str, User, object]]) -> list[str]:
    """Put emails in the outbox in one statement; returns the keys recorded (a key
    there already is skipped)."""
    now = utcnow()
    rows = [
        {
            "key": key,
            "user_id": user.id,
            "to_address": user.email,
            "subject": email.subject,
            "text_body": email.text,
            "html_body": email.html,
            "headers": email.headers,
            "created_at": now,
            "next_attempt_at": now,
            "attempts": 0,
            "claimed_at": None,
            "claimed_by": None,
            "sent_at": None,
            "failed_at": None,
            "last_error": None,
        }
        for key, user, email in mails
    ]
    return [k for (k,) in insert_new(db, OutboxMail, rows, returning=(OutboxMail.key,))]


def _due(db: Session, now: datetime) -> list[int]:
    return list(
        db.scalars(
            select(OutboxMail.id)
            .where(
                OutboxMail.sent_at.is_(None),
                OutboxMail.failed_at.is_(None),
                OutboxMail.next_attempt_at <= now,
                or_(OutboxMail.claimed_at.is_(None), OutboxMail.claimed_at < now - LEASE),
            )
            .order_by(OutboxMail.id)
            .limit(BATCH)
        )
    )


def claim(db: Session, mail_id: int, now: datetime, worker: str) -> bool:
    return (
        db.execute(
            update(OutboxMail)
            .where(
                OutboxMail.id == mail_id,
                OutboxMail.sent_at.is_(None),
                OutboxMail.failed_at.is_(None),
                or_(OutboxMail.claimed_at.is_(None), OutboxMail.claimed_at < now - LEASE),
            )
            .values(claimed_at=now, claimed_by=worker)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def message_id(row: OutboxMail, settings: SmtpSettings) -> str:
    domain = settings.mail_from.rsplit("@", 1)[-1].strip(" >") or "codraft.invalid"
    return f"<codraft.{row.id}.{int(row.created_at.timestamp())}@{domain}>"


def send_due(db: Session, now: datetime, settings: SmtpSettings | None) -> int:
    """Send what is due. Commits its claims and results itself (see the module
    docstring): that is what makes a crash safe. Returns how many were sent."""
    if settings is None:
        return 0
    worker = worker_name()
    claimed = [i for i in _due(db, now) if claim(db, i, now, worker)]
    db.commit()  # the claim is visible to every other process before we talk to SMTP
    if not claimed:
        return 0
    sent = 0
    rows = [db.get(OutboxMail, i) for i in claimed]
    try:
        with Connection(settings) as smtp:
            for i, row in enumerate(rows):
                try:
                    smtp.send(
                        build(
                            settings,
                            to=row.to_address,
                            subject=row.subject,
                            text=row.text_body,
                            html=row.html_body,
                            headers=row.headers,
                            message_id=message_id(row, settings),
                        )
                    )
                except smtplib.SMTPServerDisconnected:
                    _failed(db, rows[i:], now, "the mail server closed the connection")
                    return sent
                except smtplib.SMTPResponseException as exc:
                    _failed(db, [row], now, f"{exc.smtp_code} {exc.smtp_error!r}", exc.smtp_code)
                    continue
                except smtplib.SMTPRecipientsRefused as exc:
                    _failed(db, [row], now, f"recipient refused: {exc.recipients!r}", 550)
                    continue
                row.sent_at, row.claimed_at = utcnow(), None
                db.commit()  # at once: this commit is the whole at-least-once window
                sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        _failed(db, [r for r in rows if r.sent_at is None], now, f"{type(exc).__name__}: {exc}")
    return sent


def _failed(db: Session, rows: list, now: datetime, error: str, code: int = 0) -> None:
    """Put the rows back to try later; a permanent refusal (5xx) or too many tries ends it."""
    for row in rows:
        row.attempts += 1
        row.claimed_at, row.claimed_by, row.last_error = None, None, error[:1000]
        if 500 <= code < 600 or row.attempts >= MAX_ATTEMPTS:
            row.failed_at = now
            log.error("gave up on email %s to user %s: %s", row.id, row.user_id, error)
        else:
            row.next_attempt_at = now + backoff(row.attempts)
            log.warning("email %s not sent (try %s): %s", row.id, row.attempts, error)
    db.commit()
