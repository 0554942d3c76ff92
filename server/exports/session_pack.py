"""The session pack people print: its agenda, the text of each decision, and what
changed since the last session, as HTML (for the browser's print) or as a PDF.

The PDF comes from a simpler template through WeasyPrint as tagged PDF (PDF/UA-1:
structure tree, language, title), the same library as the policy exports; it
fetches nothing from anywhere (no images, no links are followed).
The library is called in one place (`_to_pdf`), run through server/offload.py
(off the live-editing loop, bounded in time). A pack shows at most
MAX_PACK_ITEMS agenda items (server/meetings/present.py), saying so when it stops.
"""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy.orm import Session

from server import offload
from server.groups.models import Group
from server.meetings.models import Meeting
from server.meetings.present import pack_data


def context(db: Session, meeting: Meeting) -> dict:
    return {"meeting": meeting, "group": db.get(Group, meeting.group_id), **pack_data(db, meeting)}


def pack_html(db: Session, meeting: Meeting) -> str:
    return render_template("sessions/pack.html", **context(db, meeting))


def pack_pdf(db: Session, meeting: Meeting) -> bytes:
    """The pack as a PDF, made in a worker process (loading, rendering and the PDF
    library alike) so live editing never waits for it; given up on (503
    `too_slow`) after HEAVY_WORK_SECONDS (server/offload.py)."""
    return offload.run(_pdf_in_worker, meeting.id, what="The session pack PDF")


def _pdf_in_worker(meeting_id: int) -> bytes:
    with offload.worker_app().test_request_context():
        db = current_app.extensions["codraft_db"].session
        meeting = db.get(Meeting, meeting_id)
        return _to_pdf(render_template("sessions/pack_pdf.html", **context(db, meeting)))


def _to_pdf(html: str) -> bytes:
    """HTML to PDF bytes: the one call to the PDF library (tagged, as the exports)."""
    from server.exports.policy.pdf import html_to_pdf

    return html_to_pdf(html)


def filename(meeting: Meeting) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in meeting.title.lower()).strip("-")
    return f"session-pack-{meeting.id}-{safe[:40] or 'session'}.pdf"
