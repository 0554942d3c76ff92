"""The session pack PDF is tagged too: one PDF library (WeasyPrint) for both."""

from __future__ import annotations

import io

from sqlalchemy import select


def test_session_pack_pdf_has_a_structure_tree_language_and_title(db, demo, api):
    from pypdf import PdfReader

    from server.accounts.services import create_api_token, user_by_email
    from server.meetings.models import Meeting

    token, _row = create_api_token(db, user_by_email(db, "facilitator@example.org"), "pack")
    db.commit()
    meeting = db.scalar(select(Meeting).order_by(Meeting.id))
    reply = api.get(f"/sessions/{meeting.id}/pack.pdf", token)
    assert reply.status_code == 200
    reader = PdfReader(io.BytesIO(reply.data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == f"Session pack: {meeting.title}"
    assert meeting.title in reader.pages[0].extract_text()
    # Added and removed words are said in words in the PDF's text, in reading order,
    # not only drawn underlined or struck through.
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Added by Fatima Khan: [added: A Personal Budget is an amount" in " ".join(text.split())
