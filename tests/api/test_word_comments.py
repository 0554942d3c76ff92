"""Comments on some words of a sentence (issue 17): the words are followed through
later edits and the comment says when they are gone; bad ranges are refused."""

from __future__ import annotations

import pytest

from tests.api.review_support import make_place
from tests.api.support import error
from tests.api.test_review import live_edit

FIRST = "You can ask for a personal budget."


@pytest.fixture
def place(api, world):
    return make_place(api, world)


def comment_on(api, world, place, words, start=None):
    at = FIRST.index(words) if start is None else start
    reply = api.post(
        f"/sections/{place.section}/comments",
        world.mem,
        {
            "body": "Is this the right word?",
            "sentence_id": place.sentences[0],
            "words": {"start": at, "end": at + len(words)},
        },
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def words_of(api, world, comment_id):
    return api.get(f"/comments/{comment_id}", world.mem).get_json()["words"]


def patch_for(before: str, after: str) -> str:
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    return dmp.patch_toText(dmp.patch_make(before, after))


def test_words_follow_edits_before_them_and_inside_them(api, world, place, db):
    made = comment_on(api, world, place, "personal budget")
    assert made["words"] == {
        "text": "personal budget",
        "gone": False,
        "sentence_id": place.sentences[0],
        "start": 18,
        "end": 33,
        "now": "personal budget",
    }
    before = "Now you can ask for a personal budget."
    live_edit(db, world, place.sentences[0], patch_for(FIRST, before))
    moved = words_of(api, world, made["id"])
    assert (moved["start"], moved["end"], moved["now"]) == (22, 37, "personal budget")
    inside = "Now you can ask for a personal care budget."
    live_edit(db, world, place.sentences[0], patch_for(before, inside))
    assert words_of(api, world, made["id"])["now"] == "personal care budget"
    # The list of the section's threads says the same.
    listed = api.get(f"/sections/{place.section}/comments", world.mem).get_json()
    assert listed[0]["words"]["now"] == "personal care budget"


def test_a_comment_says_when_its_words_are_gone(api, world, place, db):
    made = comment_on(api, world, place, "personal budget")
    gone = "You can ask for money."
    live_edit(db, world, place.sentences[0], patch_for(FIRST, gone))
    words = words_of(api, world, made["id"])
    assert words == {
        "text": "personal budget",
        "gone": True,
        "sentence_id": None,
        "start": None,
        "end": None,
        "now": None,
    }
    # Typing the words back later does not bring the old comment back to them.
    live_edit(db, world, place.sentences[0], patch_for(gone, FIRST))
    assert words_of(api, world, made["id"])["gone"] is True


def test_a_selection_inside_words_takes_the_whole_words(api, world, place):
    made = comment_on(api, world, place, "rsonal bud")
    assert made["words"]["text"] == "personal budget"


@pytest.mark.parametrize(
    "words",
    [
        {"start": 5, "end": 5},
        {"start": 10, "end": 4},
        {"start": 0, "end": len(FIRST) + 1},
        {"start": -1, "end": 3},
        {"start": "1", "end": 3},
        {"start": 3, "end": 4},  # a space only
    ],
)
def test_bad_ranges_are_refused_and_nothing_is_stored(api, world, place, words):
    reply = api.post(
        f"/sections/{place.section}/comments",
        world.mem,
        {"body": "Hmm", "sentence_id": place.sentences[0], "words": words},
    )
    assert reply.status_code == 422, reply.get_json()
    assert api.get(f"/sections/{place.section}/comments", world.mem).get_json() == []


def test_words_need_a_sentence(api, world, place):
    body = {"body": "Hmm", "words": {"start": 0, "end": 3}}
    err = error(api.post(f"/sections/{place.section}/comments", world.mem, body), 422)
    assert "sentence_id" in err["fields"]
    assert api.get(f"/sections/{place.section}/comments", world.mem).get_json() == []
