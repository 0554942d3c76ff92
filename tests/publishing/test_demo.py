"""The demo shows publishing: a public v1 of the demo policy, written before the
review changed the text, so a facilitator publishing v2 sees what changed."""

from __future__ import annotations

from server import demo as demo_module
from server.db import utcnow
from server.publishing import services as publishing


def test_demo_has_a_public_v1_and_v2_would_show_the_later_edit(db, demo, client):
    [v1] = publishing.releases_of(db, demo.id)
    assert v1.number == 1 and v1.note
    slug = demo_module.demo_public_slug(db)
    page = client.get(f"/published/{slug}/latest")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "within 28 days." in html and "28 days of our letter" not in html
    assert "Named with their agreement: Alex Rivers, Fatima Khan, Sam Taylor." in html
    assert "Joy Mensah" not in html
    # Dated the day after the last session, as its row is, not the day the demo loaded.
    day = v1.created_at
    assert day.date() < utcnow().date()
    assert f"Version 1 · {day.day} {day:%B %Y}" in html

    from server.accounts.services import user_by_email

    v2 = publishing.publish(db, demo, user_by_email(db, "facilitator@example.org"))
    db.commit()
    [section] = [
        s for s in v2.changes["sections"] if s["title"] == "If you disagree with a decision"
    ]
    assert section["summary"] == "1 sentence changed."
