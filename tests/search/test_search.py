"""Search finds the current words of a group's policies, its comments and
suggestions, marks them safely, links to them, and never shows deleted text or
anything from another group."""

from __future__ import annotations

import pytest
from diff_match_patch import diff_match_patch
from sqlalchemy import text

from server.editing import services as editing
from server.policies import services as policies
from server.policies.models import Sentence
from server.review import comments, proposals
from tests.conftest import Factory, made_app, sign_in
from tests.search.conftest import V1, build, find, kinds

dmp = diff_match_patch()


def _sentence(db, world, words: str) -> Sentence:
    return next(s for s in world.section.sentences if words in s.text)


def _edit(db, world, sentence: Sentence, new: str) -> None:
    patch = dmp.patch_toText(dmp.patch_make(sentence.text, new))
    editing.edit_text(db, world.section, sentence, world.member, sentence.version, patch)
    db.commit()


def test_finds_a_word_in_the_current_text_with_the_word_marked_and_a_link(client, world):
    reply = find(client, world, "minibus")
    hits = reply.get_json()["hits"]
    assert kinds(reply) == [("sentence", "The minibus collects every pupil by eight.")], hits
    hit = hits[0]
    assert hit["snippet"] == [
        {"text": "The ", "hit": False},
        {"text": "minibus", "hit": True},
        {"text": " collects every pupil by eight.", "hit": False},
    ]
    assert hit["snippet_html"] == "The <mark>minibus</mark> collects every pupil by eight."
    assert hit["url"].endswith(f"/sections/{world.section.id}#sentence-{hit['id']}")
    assert hit["policy_title"] == "Travel to school"
    assert hit["section_title"] == "Pick-up routes"


def test_a_word_start_case_and_accents_do_not_matter(client, world, db):
    assert kinds(find(client, world, "CARER")) == [("sentence", "Carers may ride along.")]
    _edit(db, world, _sentence(db, world, "Carers"), "Carers may ride along with Zoë.")
    assert [k for k, _ in kinds(find(client, world, "zoe"))] == ["sentence"]
    # Every word must be there.
    assert kinds(find(client, world, "carers eight")) == []
    # A plural finds the singular too (a word alone only finds longer words).
    reply = find(client, world, "minibuses")
    assert kinds(reply) == [("sentence", "The minibus collects every pupil by eight.")]
    assert reply.get_json()["terms"] == ["minibus"]
    assert kinds(find(client, world, "pupils eights")) == kinds(find(client, world, "pupil eight"))
    assert kinds(find(client, world, "Carers")) == [("sentence", "Carers may ride along with Zoë.")]


def test_text_deleted_or_changed_since_is_not_found(client, world, db):
    first = _sentence(db, world, "minibus")
    _edit(db, world, first, "The coach collects every pupil by eight.")
    assert kinds(find(client, world, "minibus")) == []
    assert [k for k, _ in kinds(find(client, world, "coach"))] == ["sentence"]

    second = _sentence(db, world, "Carers")
    editing.delete(db, world.section, second, world.member, second.version)
    db.commit()
    assert kinds(find(client, world, "carers")) == []


def test_titles_comments_and_suggestions_are_found_and_linked(client, world, db):
    sentence = _sentence(db, world, "minibus")
    thread = comments.add(
        db, world.section, world.membership, "Does the **minibus** stop at Elm Road?"
    )
    reply = comments.reply(db, thread, world.membership, "Yes, at Elm Road school gate.")
    suggestion = proposals.create(
        db,
        world.section,
        world.membership,
        kind="replace",
        reason="Elm Road families asked for it",
        text="The minibus collects every pupil by half past seven.",
        sentence_ids=[sentence.id],
    )
    db.commit()

    found = {h["kind"]: h for h in find(client, world, "elm road").get_json()["hits"]}
    assert set(found) == {"comment", "proposal"}
    assert found["proposal"]["url"].endswith(f"/proposals/{suggestion.id}")
    got = find(client, world, "gate").get_json()["hits"]
    assert [(h["kind"], h["id"], h["thread_id"]) for h in got] == [("comment", reply.id, thread.id)]
    assert got[0]["url"].endswith(f"/sections/{world.section.id}#comment-{reply.id}")
    # A comment is shown as read, without its Markdown.
    stop = find(client, world, "stop").get_json()["hits"]
    assert stop[0]["text"] == "Does the minibus stop at Elm Road?"

    assert kinds(find(client, world, "routes")) == [("section", "Pick-up routes")]

    comments.delete(db, reply, world.membership)
    db.commit()
    assert find(client, world, "gate").get_json()["hits"] == []


def test_a_deleted_section_is_not_found_at_all(client, world, db):
    comments.add(db, world.section, world.membership, "Ask about wheelchair space.")
    db.commit()
    policies.delete_section(db, world.section, world.policy.group.memberships[0].user)
    db.commit()
    for q in ("minibus", "routes", "wheelchair"):
        assert kinds(find(client, world, q)) == [], q


def test_never_a_hit_from_another_group(client, world):
    # "private" is only in the other group's policy; "minibus" is in both.
    assert kinds(find(client, world, "private")) == []
    assert all(
        h["section_id"] == world.section.id
        for h in find(client, world, "minibus").get_json()["hits"]
    )
    # Their own search sees their own words only.
    theirs = client.get(
        f"{V1}/groups/{world.other_group.id}/search?q=minibus",
        headers={"Authorization": f"Bearer {world.outsider_token}"},
    ).get_json()["hits"]
    assert {h["section_id"] for h in theirs} == {world.other_section.id}


def test_outsiders_and_the_signed_out_learn_nothing(client, world):
    reply = find(client, world, "minibus", token=world.outsider_token)
    assert reply.status_code == 404
    assert reply.get_json()["error"]["code"] == "not_found"
    anonymous = client.get(f"{V1}/groups/{world.group.id}/search?q=minibus")
    assert anonymous.status_code == 401
    anonymous = client.get(f"{V1}/groups/{world.group.id}/search")  # no q: still 401 first
    assert anonymous.status_code == 401


def test_bad_queries_get_a_clear_answer_and_query_syntax_is_just_words(client, world):
    missing = client.get(
        f"{V1}/groups/{world.group.id}/search",
        headers={"Authorization": f"Bearer {world.token}"},
    )
    assert missing.status_code == 422
    assert "q" in str(missing.get_json()["error"])
    assert find(client, world, "x" * 201).status_code == 422
    assert find(client, world, "minibus", limit=0).status_code == 422
    for q in ['"', "minibus OR private", "NEAR(a b)", "*", "minibus*", "-", "''"]:
        reply = find(client, world, q)
        assert reply.status_code == 200, (q, reply.get_json())
        assert all(h["section_id"] == world.section.id for h in reply.get_json()["hits"])
    assert find(client, world, "!!!").get_json() == {
        "query": "!!!",
        "terms": [],
        "hits": [],
        "more": False,
    }


def test_snippets_escape_what_people_typed_then_mark(client, world, db):
    comments.add(db, world.section, world.membership, 'Is 5 < 6 & <b>minibus</b> "safe"?')
    db.commit()
    hit = next(
        h for h in find(client, world, "minibus").get_json()["hits"] if h["kind"] == "comment"
    )
    assert hit["snippet_html"] == "Is 5 &lt; 6 &amp; <mark>minibus</mark> &quot;safe&quot;?"


def test_the_search_page_marks_the_words_and_links_to_them(client, world, db):
    sign_in(client, "pat@example.org")
    group_page = client.get(f"/groups/{world.group.id}").get_data(as_text=True)
    assert 'role="search"' in group_page
    page = client.get(f"/groups/{world.group.id}/search?q=minibus")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    sentence = _sentence(db, world, "minibus")
    assert f'href="/sections/{world.section.id}#sentence-{sentence.id}"' in html
    assert "The <mark>minibus</mark> collects" in html
    assert "private" not in html
    nothing = client.get(f"/groups/{world.group.id}/search?q=zebra").get_data(as_text=True)
    assert "Nothing found for “zebra”" in nothing
    assert client.get(f"/groups/{world.other_group.id}/search?q=minibus").status_code == 404


def test_the_sqlite_index_is_kept_by_triggers_at_the_head_migration(db):
    """A later migration that rebuilds one of these tables (batch mode copies it)
    would drop its triggers silently: this says so."""
    names = set(db.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    for table in ("sentences", "sections", "comments", "proposals"):
        for event in ("insert", "update", "delete"):
            assert f"search_{table}_{event}" in names


@pytest.mark.postgres
def test_search_on_postgresql(migrated_postgres_url, tmp_path):
    with made_app(tmp_path, migrated_postgres_url) as app, app.app_context():
        world = build(Factory(app))
        db = world.make.db
        client = app.test_client()
        hits = find(client, world, "minibus").get_json()["hits"]
        assert [(h["kind"], h["snippet_html"]) for h in hits] == [
            ("sentence", "The <mark>minibus</mark> collects every pupil by eight.")
        ]
        assert kinds(find(client, world, "carer")) == [("sentence", "Carers may ride along.")]
        assert [k for k, _ in kinds(find(client, world, "minibuses"))] == ["sentence"]
        assert kinds(find(client, world, "private")) == []
        comments.add(db, world.section, world.membership, "Ask about wheelchair space.")
        db.commit()
        assert [k for k, _ in kinds(find(client, world, "wheel"))] == ["comment"]
        first = _sentence(db, world, "minibus")
        editing.delete(db, world.section, first, world.member, first.version)
        db.commit()
        assert kinds(find(client, world, "minibus")) == []
        assert find(client, world, '" OR NEAR(').status_code == 200
