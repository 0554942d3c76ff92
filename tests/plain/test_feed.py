"""Which sentences an op hands to the background hints task."""

from __future__ import annotations

from server.realtime.hints_feed import changed_sentences


def s(i, text="Some text here.", version=1):
    return {"id": i, "text": text, "version": version, "position": "a0"}


def test_each_kind_of_op_names_the_sentences_left_with_new_text():
    assert changed_sentences({"op": "edit", "id": 3, "version": 4, "text": "New."}) == [
        {"id": 3, "version": 4, "text": "New."}
    ]
    assert changed_sentences({"op": "insert", "sentence": s(5)}) == [s(5)]
    assert changed_sentences({"op": "split", "sentence": s(5), "new": s(6)}) == [s(5), s(6)]
    assert changed_sentences({"op": "merge", "id": 6, "into": s(5, "A. B.")}) == [s(5, "A. B.")]
    assert changed_sentences({"op": "section_insert", "section": {"sentences": [s(7)]}}) == [s(7)]


def test_ops_that_change_no_text_need_no_hints():
    for op in ("delete", "move", "section_delete", "section_move", "policy_update", "unknown"):
        assert changed_sentences({"op": op, "id": 1}) == []
