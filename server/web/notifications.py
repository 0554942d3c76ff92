"""Pages: the notifications list, marking read, email choices, and one-click
unsubscribe from a signed link (which needs no sign-in)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from server import auth, jobs
from server.errors import DomainError
from server.notifications import services as notifications
from server.notifications.delivery import UnsubscribeLinkBad
from server.notifications.kinds import CHOICES, KINDS
from server.web.blueprint import bp
from server.web.helpers import db, my_id, safe_next


@bp.app_context_processor
def _unread():
    """The header's unread count, on every page for a signed-in member."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        return notifications.unread_count(db(), current_user.user.id)

    return {"unread_notifications": unread_notifications}


def _mail_on() -> bool:
    return current_app.config.get("MAIL") is not None


@bp.get("/notifications")
def notifications_page():
    user_id = my_id()
    before = request.args.get("before", type=int)
    rows = notifications.notifications_of(db(), user_id, before_id=before)
    return render_template(
        "notifications/list.html",
        rows=rows,
        unread=notifications.unread_count(db(), user_id),
        more=len(rows) == notifications.PAGE,
        mail_on=_mail_on(),
    )


@bp.post("/notifications/<int:notification_id>/open")
def open_notification(notification_id: int):
    """Open what it points at, and count it read."""
    note = notifications.get_own(db(), my_id(), notification_id)
    notifications.mark_read(db(), note)
    return redirect(note.link, code=303)


@bp.post("/notifications/<int:notification_id>/read")
def read_notification(notification_id: int):
    note = notifications.get_own(db(), my_id(), notification_id)
    notifications.mark_read(db(), note, request.form.get("read", "1") != "0")
    return redirect(url_for("web.notifications_page", _anchor=f"n-{note.id}"), code=303)


@bp.post("/notifications/read-all")
def read_all_notifications():
    done = notifications.mark_all_read(db(), my_id())
    flash(
        f"{done} {'notification is' if done == 1 else 'notifications are'} marked as read."
        if done
        else "Everything was read already.",
        "success",
    )
    return redirect(url_for("web.notifications_page"), code=303)


@bp.post("/notifications/seen")
def notifications_seen():
    """Sent by static/js/notifications.js when a page opens: notifications pointing
    at this page are read now. (The page read itself writes nothing.)"""
    path = safe_next(request.form.get("path") or "")
    done = notifications.mark_read_at(db(), my_id(), path or "")
    return {"marked": done, "unread": notifications.unread_count(db(), my_id())}


@bp.route("/notifications/settings", methods=["GET", "POST"])
def notification_settings():
    user_id = my_id()
    if request.method == "POST":
        wanted = {k: request.form.get(k, "") for k in KINDS if k in request.form}
        try:
            notifications.set_choices(db(), user_id, wanted)
        except DomainError as exc:
            return render_template(
                "notifications/settings.html",
                kinds=KINDS,
                choices_labels=CHOICES,
                chosen={**notifications.choices_of(db(), user_id), **wanted},
                mail_on=_mail_on(),
                email=auth.me().email,
                error=exc.message,
            ), 400
        flash("Your email choices are saved.", "success")
        return redirect(url_for("web.notification_settings"), code=303)
    return render_template(
        "notifications/settings.html",
        kinds=KINDS,
        choices_labels=CHOICES,
        chosen=notifications.choices_of(db(), user_id),
        mail_on=_mail_on(),
        email=auth.me().email,
    )


# --- one-click unsubscribe (no sign-in: the signed link is the authority) ----------------


def _read_link(token: str):
    return jobs.delivery_from(current_app.config).read_unsubscribe_token(token)


def _bad_link(exc: UnsubscribeLinkBad):
    message = (
        "This link to stop emails is too old. Nothing was changed."
        if exc.why == "expired"
        else "This link to stop emails is not right: it may have been copied wrongly. "
        "Nothing was changed."
    )
    return render_template("notifications/unsubscribe_bad.html", message=message), (
        410 if exc.why == "expired" else 400
    )


@bp.get("/unsubscribe/<token>")
def unsubscribe(token: str):
    """Show what the link stops and a button; a GET changes nothing (mail scanners
    open links)."""
    try:
        _user_id, kind = _read_link(token)
    except UnsubscribeLinkBad as exc:
        return _bad_link(exc)
    label = "The daily email" if kind == "digest" else KINDS.get(kind, None)
    return render_template(
        "notifications/unsubscribe.html",
        token=token,
        label=label if isinstance(label, str) else (label.label if label else None),
    )


@bp.post("/unsubscribe/<token>")
def unsubscribe_confirm(token: str):
    """The button, and mail programs' one-click POST (RFC 8058, List-Unsubscribe-Post)."""
    try:
        user_id, kind = _read_link(token)
    except UnsubscribeLinkBad as exc:
        return _bad_link(exc)
    label = notifications.unsubscribe(db(), user_id, kind)
    if label is None:
        return _bad_link(UnsubscribeLinkBad("forged"))
    return render_template(
        "notifications/unsubscribed.html",
        label=label,
        next_url=safe_next("/notifications/settings"),
    )
