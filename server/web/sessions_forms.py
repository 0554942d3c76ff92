"""Forms for the session pages: planning a session, agenda items, marking review
items. Like server/web/forms.py they check only what a form can know; the
session services check the rest."""

from __future__ import annotations

from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from server.meetings.models import AGENDA_TITLE_CHARS, SESSION_TITLE_CHARS
from server.meetings.services import MAX_NOTES_CHARS
from server.web.forms import Form, WhenField, at_most


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SessionForm(Form):
    title = StringField(
        "Title",
        filters=[_strip],
        validators=[
            DataRequired("Give the session a title."),
            at_most(SESSION_TITLE_CHARS),
        ],
    )
    starts_at = WhenField(
        "Date and time",
        format="%Y-%m-%dT%H:%M",
        validators=[InputRequired("Say when the session is, as a date and a time.")],
    )
    place = StringField(
        "Place or link",
        filters=[_strip],
        validators=[Length(max=500, message="The place or link can be up to 500 characters.")],
    )
    notes = TextAreaField(
        "Notes for members",
        filters=[_strip],
        validators=[
            Length(max=MAX_NOTES_CHARS, message=f"Notes can be up to {MAX_NOTES_CHARS} characters.")
        ],
    )


class AgendaItemForm(Form):
    title = StringField(
        "Title of the item",
        filters=[_strip],
        validators=[
            DataRequired("Give the item a title."),
            at_most(AGENDA_TITLE_CHARS),
        ],
    )
    note = TextAreaField(
        "Note (optional)",
        filters=[_strip],
        validators=[
            Length(
                max=MAX_NOTES_CHARS, message=f"A note can be up to {MAX_NOTES_CHARS} characters."
            )
        ],
    )


class MarkForm(Form):
    """One or more review items (several `key` fields) marked reviewed or not."""

    reviewed = HiddenField()
