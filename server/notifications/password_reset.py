"""Password reset by email, for servers with email on (facilitators' reset links
stay for groups without it: server/web/groups.py).

Asking always answers the same way, whether or not an account uses the address,
so the form tells nobody who has an account. The link is the same single-use,
hashed, expiring reset as a facilitator's (server/accounts/services.py); the mail
goes through the outbox like every other. Using it ends the person's sign-ins and
API tokens (accounts.set_password), since whoever had the old password may have
made one.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from server.accounts.services import create_password_reset, user_by_email
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
