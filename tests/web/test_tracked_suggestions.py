"""Suggestions inside the text as a word diff (issue 17), for members who choose
that view: a per-member setting kept on the server (the account page, the section
page's toggle, PATCH /api/v1/me). Shown in each sentence's own row of the text,
with the words open comments are about marked there for everyone."""

from __future__ import annotations

import re

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


def _row(page: str, sentence_id: int) -> str:
    found = re.search(rf'<li class="sentence" id="sentence-{sentence_id}".*?</li>', page, re.S)
    assert found, sentence_id
    return found.group(0)


def test_off_by_default_then_on_from_the_section_page_and_off_again(client, world, suggested):
    first = suggested.sentence_ids[0]
    assert sign_in(client, world.member.email).status_code == 302
    page = text(client.get(f"/sections/{world.section.id}"))
    assert "tracked-change" not in page and "Show suggestions in the text" in page

    back = post(
        client,
        "/account/suggestions-view",
        {"suggestions_inline": "on", "next": f"/sections/{world.section.id}"},
    )
    assert back.status_code == 302 and back.headers["Location"].endswith(
        f"/sections/{world.section.id}"
    )
    page = text(client.get(f"/sections/{world.section.id}"))
    # In the sentence's own row of the text, not in a second copy of the text.
    row = _row(page, first)
    assert 'class="tracked-change"' in row and "Suggested wording:" in row
    assert '<ins class="diff-ins"><span class="visually-hidden">[added: </span> at any time' in row
    assert f'/proposals/{suggested.id}"' in row and "Suggestion by Fatima Facilitator" in row
    assert "Suggestions in the text</h2>" not in page

    # The same block, served alone for the live page (static/js/tracked.js).
    fragment = text(client.get(f"/sections/{world.section.id}/text-marks"))
    assert f'data-marks-for="{first}"' in fragment and "at any time" in fragment

    # Someone else's view is theirs: the facilitator still has the margin only.
    other = client.application.test_client()
    assert sign_in(other, world.facilitator.email).status_code == 302
    assert "tracked-change" not in text(other.get(f"/sections/{world.section.id}"))
    assert "tracked-change" not in text(other.get(f"/sections/{world.section.id}/text-marks"))

    post(client, "/account/suggestions-view", {"next": f"/sections/{world.section.id}"})
    assert "tracked-change" not in text(client.get(f"/sections/{world.section.id}"))


def test_commented_words_are_marked_in_their_sentence(client, world, db):
    first = sentences_of(db, [world.section.id])[world.section.id][0]
    words = first.text.split()[1]
    at = first.text.index(words)
    assert sign_in(client, world.member.email).status_code == 302
    made = post(
        client,
        f"/sections/{world.section.id}/comments",
        {
            "body": "Which one?",
            "sentence_id": first.id,
            "words_start": at,
            "words_end": at + len(words),
        },
    )
    assert made.status_code == 302
    row = _row(text(client.get(f"/sections/{world.section.id}")), first.id)
    assert f'<mark class="word-mark">{words}</mark>' in row
    assert f"“{words}”</span>: comment by" in row and 'href="#thread-' in row


def test_the_fragment_needs_access(client, world, make):
    stranger = make.user("Stranger", "stranger@example.org")
    assert sign_in(client, stranger.email).status_code == 302
    assert client.get(f"/sections/{world.section.id}/text-marks").status_code in (403, 404)


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


def test_new_sentences_at_the_start_and_rewrites_show_once_above_the_text(client, world, db):
    from server.permissions import membership_of

    ship = membership_of(db, world.facilitator.id, world.group.id)
    for kind, words in (("insert", "Read this first."), ("rewrite", "All new words here.")):
        proposals.create(
            db, world.section, ship, kind=kind, reason="Why not", text=words, sentence_ids=[]
        )
    db.commit()
    assert sign_in(client, world.member.email).status_code == 302
    post(client, "/account/suggestions-view", {"suggestions_inline": "on", "next": "/account"})
    page = text(client.get(f"/sections/{world.section.id}"))
    top = re.search(
        r'<div class="tracked-top" data-tracked-top>(.*?)<ol class="sentences"', page, re.S
    )
    assert top, "the block above the text is shown"
    above = top.group(1)
    assert "New sentence suggested at the start:" in above and "Read this first." in above
    assert "Suggested rewrite of the whole section:" in above
    assert "[added: </span>All new words here<" in above
    visible = page.split("data-text-marks", 1)[0]  # the hidden copy for the live page aside
    assert visible.count("Suggested rewrite of the whole section:") == 1
