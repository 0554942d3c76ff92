"""Insert, delete, split, merge and move sentences, and the refusals that keep typing safe."""

import pytest

from server.sync.errors import Conflict, FutureVersion, Gone, Invalid, NotFound, TooLong
from server.sync.ordering import Place, find_item, live
from server.sync.structure import (
    delete_sentence,
    insert_sentence,
    merge_sentence,
    move_sentence,
    split_sentence,
)
from server.sync.text import SentenceState, apply_text_edit
from tests.sync.simulation import section_of

MAX = 1000


def texts(section) -> list[tuple[int, str]]:
    return [(s.id, s.text) for s in live(section)]


def three():
    return section_of("One.", "Two 😀 two.", "Three.")


def test_insert_adds_a_first_version_sentence_with_the_callers_id():
    change = insert_sentence(three(), 10, "New.", Place(after=1), max_len=MAX)

    assert texts(change.section) == [(1, "One."), (10, "New."), (2, "Two 😀 two."), (3, "Three.")]
    new = find_item(change.section, 10)
    assert (new.version, new.deleted) == (1, False)
    assert change.op.message() == {
        "op": "insert",
        "sentence": {
            "id": 10,
            "text": "New.",
            "version": 1,
            "position": new.position,
            "deleted": False,
            "merged_into": None,
        },
    }


def test_insert_refuses_text_that_is_too_long_or_an_anchor_that_is_gone():
    with pytest.raises(TooLong):
        insert_sentence(three(), 10, "x" * 11, Place(at="end"), max_len=10)
    gone = delete_sentence(three(), 2, 1).section
    with pytest.raises(Gone):
        insert_sentence(gone, 10, "New.", Place(before=2), max_len=MAX)


def test_delete_leaves_a_tombstone():
    change = delete_sentence(three(), 2, 1)

    assert texts(change.section) == [(1, "One."), (3, "Three.")]
    assert find_item(change.section, 2).deleted
    assert change.op.message() == {"op": "delete", "id": 2}


def test_delete_of_text_the_client_has_not_seen_is_a_conflict():
    section = _edited(three(), 2, "Two 😀 two, edited.")

    with pytest.raises(Conflict) as refused:
        delete_sentence(section, 2, 1)

    assert refused.value.details == {"id": 2, "version": 2, "text": "Two 😀 two, edited."}


@pytest.mark.parametrize(
    "act",
    [
        lambda s: delete_sentence(s, 2, 1),
        lambda s: split_sentence(s, 2, 1, 1, 10),
        lambda s: merge_sentence(s, 2, 1, 1, 1, max_len=MAX),
        lambda s: merge_sentence(s, 3, 1, 2, 1, max_len=MAX),
        lambda s: move_sentence(s, 2, Place(at="end")),
        lambda s: apply_text_edit(find_item(s, 2), 1, "", max_len=MAX),
    ],
)
def test_every_op_on_a_deleted_sentence_is_gone(act):
    with pytest.raises(Gone) as refused:
        act(delete_sentence(three(), 2, 1).section)

    assert refused.value.details == {"id": 2, "merged_into": None}


@pytest.mark.parametrize(
    "act",
    [
        lambda s: delete_sentence(s, 2, 2),
        lambda s: split_sentence(s, 2, 2, 1, 10),
        lambda s: merge_sentence(s, 2, 2, 1, 1, max_len=MAX),
        lambda s: merge_sentence(s, 2, 1, 1, 2, max_len=MAX),
    ],
)
def test_a_base_version_from_the_future_is_refused(act):
    with pytest.raises(FutureVersion):
        act(three())


def test_unknown_sentences_are_not_found():
    with pytest.raises(NotFound):
        delete_sentence(three(), 42, 1)


def test_split_keeps_the_first_half_and_gives_the_rest_the_new_id():
    change = split_sentence(three(), 2, 1, 4, 10)

    assert texts(change.section) == [(1, "One."), (2, "Two "), (10, "😀 two."), (3, "Three.")]
    first, second = find_item(change.section, 2), find_item(change.section, 10)
    assert (first.version, second.version) == (2, 1)
    assert first.position == three()[1].position
    message = change.op.message()
    assert (message["op"], message["sentence"]["text"], message["new"]["text"]) == (
        "split",
        "Two ",
        "😀 two.",
    )


@pytest.mark.parametrize(
    ("offset", "halves"), [(0, ("", "Two 😀 two.")), (10, ("Two 😀 two.", ""))]
)
def test_split_at_either_end_leaves_an_empty_half(offset, halves):
    section = split_sentence(three(), 2, 1, offset, 10).section

    assert (find_item(section, 2).text, find_item(section, 10).text) == halves


@pytest.mark.parametrize("offset", [-1, 11])
def test_split_outside_the_text_is_invalid(offset):
    with pytest.raises(Invalid) as refused:
        split_sentence(three(), 2, 1, offset, 10)
    assert list(refused.value.ack()["error"]["fields"]) == ["offset"]  # names the field


def test_split_of_text_the_client_has_not_seen_is_a_conflict():
    section = _edited(three(), 2, "Two 😀 two, edited.")

    with pytest.raises(Conflict):
        split_sentence(section, 2, 1, 4, 10)


@pytest.mark.parametrize(
    ("first", "second", "joined", "separator"),
    [
        ("Ask us. ", "Then wait.", "Ask us. Then wait.", ""),  # a split left the space
        ("Ask us.", " Then wait.", "Ask us. Then wait.", ""),
        ("", "Then wait.", "Then wait.", ""),
        ("Ask us.", "", "Ask us.", ""),
        ("Ask us.", "Then wait.", "Ask us. Then wait.", " "),
    ],
)
def test_a_merge_never_doubles_a_space(first, second, joined, separator):
    section = _edited(_edited(three(), 1, first), 2, second)
    change = merge_sentence(section, 2, 2, 1, 2, max_len=MAX)
    assert texts(change.section)[0] == (1, joined)
    assert change.op.message()["separator"] == separator


def test_merge_appends_to_the_previous_sentence_and_leaves_a_tombstone():
    change = merge_sentence(three(), 2, 1, 1, 1, max_len=MAX)

    assert texts(change.section) == [(1, "One. Two 😀 two."), (3, "Three.")]
    assert find_item(change.section, 1).version == 2
    tombstone = find_item(change.section, 2)
    assert (tombstone.deleted, tombstone.merged_into) == (True, 1)
    message = change.op.message()
    assert (message["op"], message["id"], message["into"]["text"], message["separator"]) == (
        "merge",
        2,
        "One. Two 😀 two.",
        " ",
    )


def test_a_late_edit_to_a_merged_sentence_says_where_its_text_went():
    section = merge_sentence(three(), 2, 1, 1, 1, max_len=MAX).section

    with pytest.raises(Gone) as refused:
        apply_text_edit(find_item(section, 2), 1, "", max_len=MAX)

    assert refused.value.details == {"id": 2, "merged_into": 1}


def test_merge_needs_both_texts_unchanged_since_the_client_saw_them():
    for edited in (1, 2):
        section = _edited(three(), edited, "Changed.")
        with pytest.raises(Conflict):
            merge_sentence(section, 2, 1, 1, 1, max_len=MAX)


def test_merge_only_into_the_sentence_just_before():
    with pytest.raises(Conflict):
        merge_sentence(three(), 3, 1, 1, 1, max_len=MAX)
    moved = move_sentence(three(), 3, Place(after=1)).section
    with pytest.raises(Conflict):
        merge_sentence(moved, 2, 1, 1, 1, max_len=MAX)


def test_merge_refuses_a_result_that_is_too_long():
    with pytest.raises(TooLong):
        merge_sentence(three(), 2, 1, 1, 1, max_len=14)
    assert merge_sentence(three(), 2, 1, 1, 1, max_len=14, separator="").section


def test_move_changes_only_the_position():
    change = move_sentence(three(), 1, Place(at="end"))

    assert texts(change.section) == [(2, "Two 😀 two."), (3, "Three."), (1, "One.")]
    moved = find_item(change.section, 1)
    assert moved.version == 1
    assert change.op.message() == {"op": "move", "id": 1, "position": moved.position}


def _edited(section, sentence_id: int, text: str) -> tuple[SentenceState, ...]:
    return tuple(
        SentenceState(s.id, text, s.version + 1, s.position) if s.id == sentence_id else s
        for s in section
    )
