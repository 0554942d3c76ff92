"""What was said about each agenda item: free text a facilitator writes during or
after a session. A note belongs to the item's key ("vote:12", "item:7"), so it
holds however the agenda itself is assembled."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db import utcnow
from server.errors import InvalidInput
from server.meetings.models import ItemNote, Meeting
from server.text.clean import clean_block

MAX_NOTE_CHARS = 20_000
KEY = re.compile(r"^(vote|item):[1-9][0-9]{0,11}$")


def of_meeting(db: Session, meeting_id: int) -> dict[str, ItemNote]:
    return {
        n.item_key: n for n in db.scalars(select(ItemNote).where(ItemNote.meeting_id == meeting_id))
    }


def write(db: Session, meeting: Meeting, key: str, text: str, by_id: int) -> ItemNote | None:
    """Set the note for one item; empty text removes it."""
    if not isinstance(key, str) or not KEY.match(key):
        raise InvalidInput(
            "Say which agenda item the note is for, like vote:12 or item:7.",
            fields={"item": ["Not an agenda item."]},
        )
    text = clean_block(text or "")
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInput(
            f"A note can be up to {MAX_NOTE_CHARS} characters.",
            fields={"text": [f"Up to {MAX_NOTE_CHARS} characters."]},
        )
    row = db.scalar(
        select(ItemNote).where(ItemNote.meeting_id == meeting.id, ItemNote.item_key == key)
    )
    if not text:
        if row is not None:
            db.delete(row)
            db.flush()
        return None
    if row is None:
        row = ItemNote(meeting_id=meeting.id, item_key=key)
        db.add(row)
    row.text, row.updated_by_id, row.updated_at = text, by_id, utcnow()
    db.flush()
    return row
