"""Password reset by email, for servers with email on (facilitators' reset links
stay for groups without it: server/web/groups.py).

Asking always answers the same way, whether or not an account uses the address,
so the form tells nobody who has an account. The link is the same single-use,
hashed, expiring reset as a facilitator's (server/accounts/services.py); the mail
goes through the outbox like every other. Using it also revokes the person's API
tokens, since whoever had the old password may have made one.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.accounts.models import ApiToken, User
from server.accounts.services import create_password_reset, user_by_email
from server.db import utcnow
from server.events import ApiTokenRevoked, publish
from server.notifications import outbox
from server.notifications.delivery import Delivery
from server.notifications.emails import render


def request_reset(db: Session, email: str, delivery: Delivery, lifetime: timedelta) -> bool:
    """Email a reset link if an active account uses `email`. Returns whether one
    was recorded (callers must not tell the person)."""
    if not delivery.mail_on:
        return False
    user = user_by_email(db, (email or "").strip())
    if user is None or not user.is_active:
        return False
    token, row = create_password_reset(db, user, user, lifetime)
    hours = int(lifetime.total_seconds() // 3600)
    mail = render(
        "reset",
        delivery,
        user_id=user.id,
        kind=None,
        name=user.display_name,
        url=delivery.url(f"/reset/{token}"),
        hours=hours,
    )
    return outbox.record(db, f"reset:{row.id}", user, mail)


def revoke_api_tokens(db: Session, user: User) -> int:
    now = utcnow()
    rows = list(
        db.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        )
    )
    for row in rows:
        row.revoked_at = now
        publish(db, ApiTokenRevoked(row.id))
    db.flush()
    return len(rows)
