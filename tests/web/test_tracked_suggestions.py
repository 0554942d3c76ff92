"""Suggestions inside the text as a word diff (issue 17), for members who choose
that view: a per-member setting kept on the server (the account page, the section
page's toggle, PATCH /api/v1/me)."""

from __future__ import annotations

import pytest

from server.policies.services import sentences_of
from server.review import proposals
from tests.conftest import sign_in
from tests.web.conftest import post, text


@pytest.fixture
def suggested(db, world):
    """Olly's group-mate suggests new words for the first sentence."""
    from server.permissions import membership_of

    first = sentences_of(db, [world.section.id])[world.section.id][0]
    ship = membership_of(db, world.facilitator.id, world.group.id)
    made = proposals.create(
        db,
        world.section,
        ship,
        kind="replace",
        reason="Plainer",
        text=first.text.rstrip(".") + " at any time.",
        sentence_ids=[first.id],
    )
    db.commit()
    return made


def test_off_by_default_then_on_from_the_section_page_and_off_again(client, world, suggested):
    assert sign_in(client, world.member.email).status_code == 302
    page = text(client.get(f"/sections/{world.section.id}"))
    assert 'id="tracked"' not in page and "Show suggestions in the text" in page

    back = post(
        client,
        "/account/suggestions-view",
        {"suggestions_inline": "on", "next": f"/sections/{world.section.id}"},
    )
    assert back.status_code == 302 and back.headers["Location"].endswith(
        f"/sections/{world.section.id}"
    )
    page = text(client.get(f"/sections/{world.section.id}"))
    assert 'id="tracked"' in page and "Suggestions in the text" in page
    assert '<ins class="diff-ins">' in page or "diff-ins" in page
    assert "at any time" in page and f'/proposals/{suggested.id}"' in page
    assert "Suggestion by Fatima Facilitator" in page

    # Someone else's view is theirs: the facilitator still has the margin only.
    other = client.application.test_client()
    assert sign_in(other, world.facilitator.email).status_code == 302
    assert 'id="tracked"' not in text(other.get(f"/sections/{world.section.id}"))

    post(client, "/account/suggestions-view", {"next": f"/sections/{world.section.id}"})
    assert 'id="tracked"' not in text(client.get(f"/sections/{world.section.id}"))


def test_a_next_elsewhere_is_not_followed(client, world):
    assert sign_in(client, world.member.email).status_code == 302
    reply = post(
        client, "/account/suggestions-view", {"suggestions_inline": "on", "next": "//evil.example"}
    )
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/account#view")


def test_the_setting_through_the_api(client, make, world):
    from tests.api.conftest import Api

    api = Api(client.application.test_client())
    token = make.token(world.member)
    assert api.get("/me", token).get_json()["suggestions_inline"] is False
    reply = api.patch("/me", token, {"suggestions_inline": True})
    assert reply.status_code == 200, reply.get_json()
    assert reply.get_json()["suggestions_inline"] is True
    assert reply.get_json()["credit_by_name"] is False  # left out: unchanged
    for bad in ({}, {"suggestions_inline": "yes please"}):
        assert api.patch("/me", token, bad).status_code == 422, bad
    assert api.get("/me", token).get_json()["suggestions_inline"] is True
