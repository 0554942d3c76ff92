"""Notifications and email choices of the caller (docs/api.md, "Notifications")."""

from __future__ import annotations

from flask import current_app
from marshmallow import fields, validate

from server import auth
from server.api.common import ID, ApiBlueprint, db, page_url
from server.api.schemas import MAX_ID, Flag, Schema
from server.notifications import services as notifications
from server.notifications.kinds import CHOICES, KINDS

blp = ApiBlueprint(
    "Notifications",
    "What the caller has been told (mentions, replies, votes, sessions...), read "
    "state, and how they want each kind by email.",
)


# Authenticate before anything reads the body: an anonymous caller gets 401 whatever it sends.
def _signed_in() -> None:
    auth.me()


blp.before_request_funcs.setdefault(None, []).insert(0, _signed_in)  # before the JSON check


def _d(text: str, **more) -> dict:
    return {"metadata": {"description": text, **more}}


class NotificationSchema(Schema):
    """Something you were told."""

    id = fields.Integer(required=True, **_d("The notification's id."))
    group_id = fields.Integer(required=True, **_d("The group it is about."))
    kind = fields.String(required=True, **_d("What kind of news it is.", enum=sorted(KINDS)))
    text = fields.String(required=True, **_d("What happened, in plain words; escape to show."))
    link = fields.String(required=True, **_d("Path of the page it is about, e.g. /votes/4."))
    url = fields.Method("_url", required=True, **_d("The same page as an absolute address."))
    items = fields.Method(
        "_items",
        required=True,
        **_d(
            "Things it names, each with its own page: [{text, link, url}], e.g. the votes "
            "you have not cast; empty for most kinds."
        ),
    )
    actor_id = fields.Integer(allow_none=True, **_d("Who caused it (user id), if anyone."))
    created_at = fields.DateTime(required=True, **_d("When it was made (UTC)."))
    read_at = fields.DateTime(allow_none=True, **_d("When you read it; null: unread."))

    def _url(self, row) -> str:
        return page_url(row.link)

    def _items(self, row) -> list:
        return [{**i, "url": page_url(i["link"])} for i in row.items or ()]


class NotificationListSchema(Schema):
    """One page of your notifications."""

    unread = fields.Integer(required=True, **_d("How many of yours are unread, in all."))
    items = fields.List(
        fields.Nested(NotificationSchema), required=True, **_d("Newest first, up to 50.")
    )
    next_before = fields.Integer(
        allow_none=True, **_d("Pass as ?before= for the next page; null: no more.")
    )


class ListQuerySchema(Schema):
    """Which notifications to list."""

    before = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID), **_d("Only those older than this id.")
    )
    unread = fields.Boolean(load_default=False, **_d("Only unread ones."))


class ReadSchema(Schema):
    """Read or unread."""

    read = Flag(load_default=True, **_d("true (default): read; false: unread again."))


class ReadAllSchema(Schema):
    """What marking everything read did."""

    marked = fields.Integer(required=True, **_d("How many were unread and are now read."))
    unread = fields.Integer(required=True, **_d("How many are unread now (0)."))


def _choices(text: str) -> fields.Dict:
    return fields.Dict(
        keys=fields.String(validate=validate.OneOf(list(KINDS))),
        values=fields.String(validate=validate.OneOf(list(CHOICES))),
        required=True,
        **_d(text, example={"mention": "now", "vote_result": "digest", "vote_opened": "off"}),
    )


class EmailChoicesSchema(Schema):
    """How you want each kind of notification by email."""

    email_on = fields.Boolean(
        required=True, **_d("False: this server sends no email at all (choices still kept).")
    )
    choices = _choices("Each kind: now (at once), digest (one email a day) or off.")


class EmailChoicesUpdateSchema(Schema):
    """Some of your email choices to change."""

    choices = _choices("Kinds to change: now, digest or off. Kinds left out keep theirs.")


@blp.route("/notifications", methods=["GET"])
@blp.arguments(ListQuerySchema, location="query")
@blp.response(200, NotificationListSchema)
@blp.errors(401)
def list_notifications(query):
    """List the caller's notifications, newest first, 50 at a time"""
    me = auth.me()
    rows = notifications.notifications_of(
        db(), me.id, before_id=query.get("before"), unread_only=query["unread"]
    )
    return {
        "unread": notifications.unread_count(db(), me.id),
        "items": rows,
        "next_before": rows[-1].id if len(rows) == notifications.PAGE else None,
    }


@blp.route(f"/notifications/<{ID}:notification_id>/read", methods=["POST"])
@blp.arguments(ReadSchema)
@blp.response(200, NotificationSchema)
@blp.errors(401, 404)
def mark_read(body, notification_id):
    """Mark one notification read (or, with {"read": false}, unread again)"""
    note = notifications.get_own(db(), auth.me().id, notification_id)
    return notifications.mark_read(db(), note, body["read"])


@blp.route("/notifications/read-all", methods=["POST"])
@blp.response(200, ReadAllSchema)
@blp.errors(401)
def mark_all_read():
    """Mark all the caller's notifications read"""
    me = auth.me()
    marked = notifications.mark_all_read(db(), me.id)
    return {"marked": marked, "unread": notifications.unread_count(db(), me.id)}


@blp.route("/notifications/email", methods=["GET"])
@blp.response(200, EmailChoicesSchema)
@blp.errors(401)
def get_email_choices():
    """How the caller wants each kind of notification by email"""
    me = auth.me()
    return {
        "email_on": current_app.config.get("MAIL") is not None,
        "choices": notifications.choices_of(db(), me.id),
    }


@blp.route("/notifications/email", methods=["PATCH"])
@blp.arguments(EmailChoicesUpdateSchema)
@blp.response(200, EmailChoicesSchema)
@blp.errors(401)
def set_email_choices(body):
    """Change some of the caller's email choices (kinds left out keep theirs)"""
    me = auth.me()
    return {
        "email_on": current_app.config.get("MAIL") is not None,
        "choices": notifications.set_choices(db(), me.id, body["choices"]),
    }
