"""Restoring a section it already matches is nothing to do, and a restore keeps the
sentences (and their ids) whose text is already right, through the API."""

from __future__ import annotations

from diff_match_patch import diff_match_patch

from server.editing import services as editing

dmp = diff_match_patch()


def _ids_and_texts(api, token, section_id) -> list[tuple[int, str]]:
    body = api.get(f"/sections/{section_id}", token).get_json()
    return [(s["id"], s["text"]) for s in body["sentences"]]


def test_a_repeated_restore_changes_nothing_and_ids_stay(db, team, make, api):
    t = {name: make.token(getattr(team, name)) for name in ("alice", "carol")}
    cp = api.post(
        f"/policies/{team.policy.id}/checkpoints", t["carol"], {"name": "Before"}
    ).get_json()
    at_checkpoint = _ids_and_texts(api, t["carol"], team.section.id)
    assert len(at_checkpoint) == 3

    # Since the checkpoint: the middle sentence deleted, the first changed, one added.
    rows = list(team.section.sentences)
    editing.delete(db, team.section, rows[1], team.alice, rows[1].version)
    new = "A budget is an amount of money."
    editing.edit_text(
        db, team.section, rows[0], team.alice, rows[0].version,
        dmp.patch_toText(dmp.patch_make(rows[0].text, new)),
    )  # fmt: skip
    db.commit()
    assert (
        api.post(
            f"/sections/{team.section.id}/sentences", t["alice"], {"text": "Ask us."}
        ).status_code
        == 201
    )

    first = api.post(f"/sections/{team.section.id}/restore", t["alice"], {"point": cp["point"]})
    assert first.status_code == 200 and first.get_json()["seq"] is not None
    restored = _ids_and_texts(api, t["carol"], team.section.id)
    assert [text for _id, text in restored] == [text for _id, text in at_checkpoint]
    # the first and last sentences were never removed: they keep their ids
    assert restored[0][0] == at_checkpoint[0][0] and restored[2][0] == at_checkpoint[2][0]

    seq_after = api.get(f"/policies/{team.policy.id}", t["carol"]).get_json()
    for _ in range(2):  # the same point again: nothing to do, nothing churns
        again = api.post(f"/sections/{team.section.id}/restore", t["alice"], {"point": cp["point"]})
        assert again.status_code == 200
        assert again.get_json() == {"seq": None, "ops": []}
        assert _ids_and_texts(api, t["carol"], team.section.id) == restored
    assert api.get(f"/policies/{team.policy.id}", t["carol"]).get_json() == seq_after

    # The point just after the first restore: the section matches it already.
    now = api.post(
        f"/sections/{team.section.id}/restore",
        t["alice"],
        {"point": f"seq:{first.get_json()['seq']}"},
    )
    assert now.get_json() == {"seq": None, "ops": []}


def test_a_restore_keeps_a_sentence_with_the_right_text_under_another_id(db, team, make, api):
    """A sentence removed and then typed again (a new id, the same text) is kept as
    it is by a restore, not deleted and inserted once more."""
    t = {name: make.token(getattr(team, name)) for name in ("alice", "carol")}
    cp = api.post(
        f"/policies/{team.policy.id}/checkpoints", t["carol"], {"name": "Before"}
    ).get_json()
    rows = list(team.section.sentences)
    last_text = rows[2].text
    editing.delete(db, team.section, rows[2], team.alice, rows[2].version)
    db.commit()
    assert (
        api.post(
            f"/sections/{team.section.id}/sentences", t["alice"], {"text": last_text}
        ).status_code
        == 201
    )
    before = _ids_and_texts(api, t["carol"], team.section.id)
    assert before[2][1] == last_text and before[2][0] != rows[2].id

    reply = api.post(f"/sections/{team.section.id}/restore", t["alice"], {"point": cp["point"]})
    assert reply.get_json() == {"seq": None, "ops": []}
    assert _ids_and_texts(api, t["carol"], team.section.id) == before


def test_restoring_a_deleted_sentence_twice_brings_it_back_once(db, team, make, api):
    """The second restore of the same deleted sentence finds it back already: nothing
    to do, no second copy, the history does not grow."""
    t = {name: make.token(getattr(team, name)) for name in ("alice", "carol")}
    rows = list(team.section.sentences)
    gone_id, gone_text = rows[1].id, rows[1].text
    editing.delete(db, team.section, rows[1], team.alice, rows[1].version)
    db.commit()

    first = api.post(f"/sentences/{gone_id}/restore", t["alice"], {"version": 1})
    assert first.status_code == 200 and first.get_json()["seq"] is not None
    back = _ids_and_texts(api, t["carol"], team.section.id)
    assert [text for _id, text in back].count(gone_text) == 1
    assert back[1][1] == gone_text  # where it was
    seq_after = api.get(f"/policies/{team.policy.id}", t["carol"]).get_json()

    for _ in range(2):
        again = api.post(f"/sentences/{gone_id}/restore", t["alice"], {"version": 1})
        assert again.status_code == 200
        assert again.get_json() == {"seq": None, "ops": []}
    assert _ids_and_texts(api, t["carol"], team.section.id) == back
    assert api.get(f"/policies/{team.policy.id}", t["carol"]).get_json() == seq_after

    # A live sentence restored to the text it already has: nothing to do either.
    same = api.post(f"/sentences/{rows[0].id}/restore", t["alice"], {"version": 1})
    assert same.get_json() == {"seq": None, "ops": []}


def test_a_sentence_brought_back_is_no_change_to_review(db, team, make, api):
    """A restore brings a removed sentence back under a new id. Compared with a time
    before it was removed, the text reads the same, so the diff (and with it the
    review and a release's changes) lists no change, and the sentence's row has the
    id it has now."""
    t = {name: make.token(getattr(team, name)) for name in ("alice", "carol")}
    cp = api.post(
        f"/policies/{team.policy.id}/checkpoints", t["carol"], {"name": "Before"}
    ).get_json()
    rows = list(team.section.sentences)
    editing.delete(db, team.section, rows[1], team.alice, rows[1].version)
    db.commit()
    assert (
        api.post(f"/sentences/{rows[1].id}/restore", t["alice"], {"version": 1}).status_code == 200
    )
    now = _ids_and_texts(api, t["carol"], team.section.id)
    assert now[1][1] == rows[1].text and now[1][0] != rows[1].id

    diff = api.get(
        f"/policies/{team.policy.id}/history/diff?from={cp['point']}&to=now&unchanged=true",
        t["carol"],
    ).get_json()
    assert set(diff["summary"].values()) == {0}
    (section,) = [s for s in diff["sections"] if s["id"] == team.section.id]
    assert section["change"] == "unchanged" and not section["text_changed"]
    assert [(s["id"], s["change"], s["moved"]) for s in section["sentences"]] == [
        (sid, "unchanged", False) for sid, _text in now
    ]

    # Put elsewhere, the same text counts as moved, not as removed and added.
    api.post(f"/sections/{team.section.id}/restore", t["alice"], {"point": cp["point"]})
    editing.delete(db, team.section, db.merge(rows[0]), team.alice, db.merge(rows[0]).version)
    db.commit()
    added = api.post(f"/sections/{team.section.id}/sentences", t["alice"], {"text": rows[0].text})
    assert added.status_code == 201, added.get_json()
    diff = api.get(
        f"/policies/{team.policy.id}/history/diff?from={cp['point']}&to=now", t["carol"]
    ).get_json()
    assert diff["summary"]["sentences_added"] == diff["summary"]["sentences_removed"] == 0
    assert diff["summary"]["sentences_moved"] == 1


def test_a_space_left_by_a_split_is_no_change(db, team, make, api):
    """Enter after a full stop leaves its space at the end of the first half. That
    reads the same, so a diff (and a release's "what changed") lists only the new
    sentence: it listed the first half as changed, with nothing to see but "[added: ]"
    for a screen reader."""
    carol = make.token(team.carol)
    cp = api.post(f"/policies/{team.policy.id}/checkpoints", carol, {"name": "Before"}).get_json()
    first = team.section.sentences[0]
    typed = first.text + " Ask us how."
    editing.edit_text(
        db, team.section, first, team.alice, first.version,
        dmp.patch_toText(dmp.patch_make(first.text, typed)),
    )  # fmt: skip
    db.commit()
    db.refresh(first)
    editing.split(db, team.section, first, team.alice, first.version, typed.index("Ask"))
    db.commit()
    assert _ids_and_texts(api, carol, team.section.id)[0][1].endswith(". ")
    diff = api.get(
        f"/policies/{team.policy.id}/history/diff",
        carol,
        query_string={"from": cp["point"], "to": "now"},
    ).get_json()
    [section] = diff["sections"]
    changed = {s["change"] for s in section["sentences"] if s["change"] != "unchanged"}
    assert changed == {"added"}
    assert [s["text"] for s in section["sentences"] if s["change"] == "added"] == ["Ask us how."]
