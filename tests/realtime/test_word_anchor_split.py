"""Comments on words through a split (issue 17): a sentence split over a real
socket keeps each word comment on its words, whether they stayed in the first
part or went with the part cut off into the new sentence. Read back through the
API and the section page."""

from __future__ import annotations

import re

import requests

from tests.realtime.test_revocation import web_sign_in


def _api(server, method: str, path: str, token: str, body=None):
    reply = requests.request(
        method,
        f"{server.url}/api/v1{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert reply.ok, (path, reply.status_code, reply.text)
    return reply.json()


def _comment(server, token, section_id, sentence, words, body):
    at = sentence["text"].index(words)
    return _api(
        server,
        "POST",
        f"/sections/{section_id}/comments",
        token,
        {
            "body": body,
            "sentence_id": sentence["id"],
            "words": {"start": at, "end": at + len(words)},
        },
    )


def _words(server, token, section_id) -> dict[str, dict]:
    threads = _api(server, "GET", f"/sections/{section_id}/comments", token)
    return {t["source"]: t["words"] for t in threads}


def test_word_comments_follow_their_words_through_a_split(world, server, connect):
    section_id, tokens = world["section"].id, world["tokens"]
    alice = connect(tokens["alice"])
    joined = alice.join(world["policy"].id)
    second = joined["sections"][0]["sentences"][1]
    assert second["text"] == "We will answer in four weeks."

    _comment(server, tokens["carol"], section_id, second, "We will", "Who is we?")
    _comment(server, tokens["carol"], section_id, second, "four weeks", "Too long.")

    # Alice splits the sentence before "in four weeks." over her socket.
    cut = len("We will answer ")
    split = alice.call("split_sentence", {"id": second["id"], "base_version": 1, "offset": cut})
    assert split["ok"], split
    texts = [
        s["text"]
        for s in _api(server, "GET", f"/sections/{section_id}", tokens["carol"])["sentences"]
    ]
    assert texts[1:3] == ["We will answer ", "in four weeks."]
    new_id = next(
        s["id"]
        for s in _api(server, "GET", f"/sections/{section_id}", tokens["carol"])["sentences"]
        if s["text"] == "in four weeks."
    )

    words = _words(server, tokens["carol"], section_id)
    assert words["Who is we?"] == {
        "text": "We will",
        "gone": False,
        "sentence_id": second["id"],
        "start": 0,
        "end": 7,
        "now": "We will",
    }
    assert words["Too long."] == {
        "text": "four weeks",
        "gone": False,
        "sentence_id": new_id,
        "start": 3,
        "end": 13,
        "now": "four weeks",
    }

    # An edit in the new sentence before the words: they still follow.
    new_version = next(
        s["version"]
        for s in _api(server, "GET", f"/sections/{section_id}", tokens["carol"])["sentences"]
        if s["id"] == new_id
    )
    from tests.realtime.conftest import patch

    edited = alice.call(
        "edit_sentence",
        {
            "id": new_id,
            "base_version": new_version,
            "patch": patch("in four weeks.", "We reply in four weeks."),
        },
    )
    assert edited["ok"], edited
    moved = _words(server, tokens["carol"], section_id)["Too long."]
    assert (moved["sentence_id"], moved["start"], moved["now"]) == (new_id, 12, "four weeks")

    # The section page puts each comment beside the sentence its words are in now,
    # and marks the words in that sentence's text.
    web = web_sign_in(server.url, "carol@example.org")
    page = web.get(f"{server.url}/sections/{section_id}", timeout=10).text
    assert "Words removed" not in page
    slot = re.search(rf'id="notes-{new_id}".*?</li>', page, re.S).group(0)
    assert 'On the words <span class="thread__words">“four weeks”</span>' in slot
    first_slot = re.search(rf'id="notes-{second["id"]}".*?</li>', page, re.S).group(0)
    assert "“We will”" in first_slot and "four weeks" not in first_slot
    row = re.search(rf'<li class="sentence" id="sentence-{new_id}".*?</li>', page, re.S).group(0)
    assert '<mark class="word-mark">four weeks</mark>' in row
    first_row = re.search(rf'<li class="sentence" id="sentence-{second["id"]}".*?</li>', page, re.S)
    assert '<mark class="word-mark">We will</mark>' in first_row.group(0)
