"""Pages show and read times in the place's time zone (CODRAFT_TIME_ZONE, UK time by
default); the database and the API keep UTC."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from server import create_app
from server.config import ConfigError
from server.meetings.models import Meeting
from tests.web.conftest import post, text


def _plan(client, group_id: int, starts_at: str) -> int:
    planned = post(
        client,
        f"/groups/{group_id}/sessions",
        {"title": "Summer session", "starts_at": starts_at, "place": "Town hall"},
    )
    assert planned.status_code == 302, text(planned)
    return int(planned.headers["Location"].rstrip("/").split("/")[-1])


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("2027-06-18T18:00", "2027-06-18T17:00:00", "18 June 2027 at 18:00 BST"),
        ("2027-01-14T18:00", "2027-01-14T18:00:00", "14 January 2027 at 18:00 GMT"),
    ],
)
def test_a_session_time_is_typed_and_shown_in_uk_time_and_kept_in_utc(
    app, world, as_facilitator, db, make, typed, stored, shown
):
    meeting_id = _plan(as_facilitator, world.group.id, typed)

    assert db.get(Meeting, meeting_id).starts_at.isoformat().startswith(stored)
    assert shown in text(as_facilitator.get(f"/sessions/{meeting_id}"))
    assert shown in text(as_facilitator.get(f"/groups/{world.group.id}/sessions"))
    form = text(as_facilitator.get(f"/sessions/{meeting_id}/edit"))
    assert f'value="{typed}"' in form and "In UK time." in form
    api = app.test_client().get(
        f"/api/v1/sessions/{meeting_id}",
        headers={"Authorization": f"Bearer {make.token(world.facilitator)}"},
    )
    assert api.get_json()["starts_at"].startswith(stored)

    # Saving the form unchanged keeps the same moment (no drift by an hour).
    assert (
        post(
            as_facilitator,
            f"/sessions/{meeting_id}/edit",
            {"title": "Summer session", "starts_at": typed, "place": "Town hall"},
        ).status_code
        == 302
    )
    db.expire_all()
    assert db.get(Meeting, meeting_id).starts_at.isoformat().startswith(stored)


def test_another_zone_is_named_in_the_hint_and_the_time(app, world, as_facilitator, db):
    app.config["TIME_ZONE"] = "America/New_York"
    meeting_id = _plan(as_facilitator, world.group.id, "2027-06-18T18:00")

    assert db.get(Meeting, meeting_id).starts_at.isoformat().startswith("2027-06-18T22:00")
    assert "18 June 2027 at 18:00 EDT" in text(as_facilitator.get(f"/sessions/{meeting_id}"))
    assert "In America/New York time." in text(as_facilitator.get(f"/sessions/{meeting_id}/edit"))


def test_a_moment_typed_to_read_the_history_is_in_the_places_time(app, world, as_member):
    """New York is five hours behind UTC in November: read as UTC, the moment just
    typed would be hours before the policy existed."""
    app.config["TIME_ZONE"] = "America/New_York"
    time.sleep(1.1)  # the policy was made at least a second before the typed moment
    typed = datetime.now(ZoneInfo("America/New_York")).strftime("%Y-%m-%dT%H:%M:%S")

    page = as_member.get(
        f"/policies/{world.policy.id}/history/read", query_string={"moment": typed}
    )

    assert page.status_code == 200, text(page)
    assert "You are reading the policy as it was at" in text(page)
    assert " ES" in text(page) or " ED" in text(page)  # EST or EDT, not UTC


def test_an_unknown_time_zone_stops_the_start_with_a_plain_message(instance):
    with pytest.raises(ConfigError, match="CODRAFT_TIME_ZONE"):
        create_app(
            {
                "INSTANCE_PATH": str(instance),
                "TESTING": True,
                "SECRET_KEY": "test-secret-key-not-for-production",
                "TIME_ZONE": "Mars/Olympus_Mons",
            }
        )
