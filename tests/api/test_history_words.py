"""History says who did what in plain words (issue 17): which of a section's title,
owner or status changed and by whom (the group's vote, when nobody typed it); a
suggestion the group accepted is the author's suggestion, accepted, not something
the author "applied"."""

from __future__ import annotations

import pytest

from tests.api.review_support import make_place

NEW_WORDS = "You can ask for a personal budget at any time."


@pytest.fixture
def place(api, world):
    return make_place(api, world)


def revisions(api, world, section_id):
    reply = api.get(f"/sections/{section_id}/history", world.mem)
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()["revisions"]


def test_a_section_update_says_which_and_the_groups_vote_says_who(api, world, place):
    assert (
        api.patch(f"/sections/{place.section}", world.fac, {"title": "Asking"}).status_code == 200
    )
    vote = api.post(f"/sections/{place.section}/ready", world.ed).get_json()
    for token in (world.fac, world.ed, world.mem):  # the last ballot closes it
        reply = api.call(
            "PUT", f"/votes/{vote['id']}/ballots/mine", token, json={"choice": "approve"}
        )
        assert reply.status_code == 200, reply.get_json()
    found = [r for r in revisions(api, world, place.section) if r["kind"] == "section_update"]
    said = [(r["author"]["name"] if r["author"] else None, r["summary"]) for r in found]
    assert (None, "marked the section agreed") in said
    assert ("Pat Parent", "marked the section ready for the group to agree") in said
    assert ("Fran Facilitator", "renamed the section “Asking”") in said
    agreed = next(r for r in found if r["summary"] == "marked the section agreed")
    assert agreed["cause"] == f"vote:{vote['id']}"


def test_a_vote_a_facilitator_closed_early_is_still_the_groups(api, world, place):
    """The history's author of a vote's outcome is null (docs/api.md) even when a
    facilitator closed the vote: it named them."""
    vote = api.post(f"/sections/{place.section}/ready", world.ed).get_json()
    for token in (world.fac, world.ed):
        reply = api.call(
            "PUT", f"/votes/{vote['id']}/ballots/mine", token, json={"choice": "approve"}
        )
        assert reply.status_code == 200, reply.get_json()
    closed = api.post(f"/votes/{vote['id']}/close", world.fac)
    assert closed.status_code == 200, closed.get_json()
    agreed = [r for r in revisions(api, world, place.section) if r["cause"] == f"vote:{vote['id']}"]
    assert agreed and all(r["author"] is None for r in agreed), agreed


def test_an_accepted_suggestion_is_the_authors_suggestion_accepted(api, world, place):
    made = api.post(
        f"/sections/{place.section}/proposals",
        world.mem,
        {
            "kind": "replace",
            "sentence_ids": [place.sentences[0]],
            "text": NEW_WORDS,
            "reason": "Plainer",
        },
    ).get_json()
    vote = api.post(f"/proposals/{made['id']}/vote", world.mem).get_json()
    for token in (world.fac, world.ed, world.mem):
        api.call("PUT", f"/votes/{vote['id']}/ballots/mine", token, json={"choice": "approve"})
    edit = next(
        r for r in revisions(api, world, place.section) if r["cause"] == f"proposal:{made['id']}"
    )
    assert edit["author"]["name"] == "Hana Health"
    assert edit["summary"] == (
        f"suggested this change, and it was accepted (suggestion {made['id']}): changed a sentence"
    )
    assert "applied" not in edit["summary"]
