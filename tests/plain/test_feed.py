"""Which sentences an op hands to the background hints task."""

from __future__ import annotations

from server.realtime.hints_feed import changed_sentences
from server.realtime.hints_queue import Budget, HintsQueue


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


def edit(i, version, text="Some text."):
    return {"id": i, "version": version, "text": text}


def test_a_burst_of_typing_is_checked_once_for_its_latest_version_when_quiet():
    q = HintsQueue(quiet=0.6, max_wait=2.0)
    for n in range(10):  # ten edits in a second
        q.note(1, [edit(5, n + 1, f"Version {n + 1}.")], now=n * 0.1)
    assert q.take_due(1.4) == {}  # last change at 0.9: not quiet yet
    assert q.next_due() == 1.5
    assert q.take_due(1.5) == {1: [(5, 10, "Version 10.")]}
    assert not q and q.next_due() is None


def test_a_sentence_typed_into_without_a_pause_is_still_checked_every_few_seconds():
    q = HintsQueue(quiet=0.6, max_wait=2.0)
    for n in range(8):  # an edit every 0.25 s, never quiet for 0.6 s
        q.note(1, [edit(5, n + 1)], now=n * 0.25)
        assert q.take_due(n * 0.25) == {}
    assert q.take_due(2.0) == {1: [(5, 8, "Some text.")]}


def test_a_late_older_version_never_replaces_a_newer_one():
    q = HintsQueue(quiet=0.5, max_wait=2.0)
    q.note(1, [edit(5, 3, "New.")], now=0)
    q.note(1, [edit(5, 2, "Old.")], now=0.1)
    assert q.take_due(1) == {1: [(5, 3, "New.")]}


def test_policies_and_sentences_fall_due_on_their_own():
    q = HintsQueue(quiet=0.5, max_wait=2.0)
    q.note(1, [edit(5, 1), edit(6, 1)], now=0)
    q.note(2, [edit(9, 1)], now=0.4)
    assert q.take_due(0.5) == {1: [(5, 1, "Some text."), (6, 1, "Some text.")]}
    assert q.take_due(0.89) == {}
    assert q.take_due(0.9) == {2: [(9, 1, "Some text.")]}


def test_the_budget_stops_hint_work_past_its_share_of_each_second():
    budget = Budget(share=0.1, window=1.0)
    assert budget.spend(0.05, now=0.0) == 0.0
    assert budget.spend(0.04, now=0.09) == 0.0
    assert budget.spend(0.02, now=0.11) == 0.89  # over 0.1 s: rest to the window's end
    assert budget.spend(0.01, now=1.0) == 0.0  # a new window
