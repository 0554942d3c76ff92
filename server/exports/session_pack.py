"""The session pack people print: its agenda, the text of each decision, and what
changed since the last session, as HTML (for the browser's print) or as a PDF.

The PDF comes from a simpler template through WeasyPrint as tagged PDF (PDF/UA-1:
structure tree, language, title), the same library as the policy exports; it
fetches nothing from anywhere (no images, no links are followed).
"""

from __future__ import annotations

from flask import render_template
from sqlalchemy.orm import Session

from server.groups.models import Group
from server.meetings.models import Meeting
from server.meetings.present import pack_data


def context(db: Session, meeting: Meeting) -> dict:
    return {"meeting": meeting, "group": db.get(Group, meeting.group_id), **pack_data(db, meeting)}


def pack_html(db: Session, meeting: Meeting) -> str:
    return render_template("sessions/pack.html", **context(db, meeting))


def pack_pdf(db: Session, meeting: Meeting) -> bytes:
    from server.exports.policy.pdf import html_to_pdf

    return html_to_pdf(render_template("sessions/pack_pdf.html", **context(db, meeting)))


def filename(meeting: Meeting) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in meeting.title.lower()).strip("-")
    return f"session-pack-{meeting.id}-{safe[:40] or 'session'}.pdf"
