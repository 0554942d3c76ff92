"""Ordering with fractional keys, as used for sections in a part (and sentences)."""

import random

import pytest
from fractional_indexing import generate_n_keys_between

from server.sync.errors import Gone, Invalid, NotFound
from server.sync.ordering import (
    Item,
    Place,
    delete_item,
    find_item,
    in_order,
    insert_item,
    live,
    move_item,
)


def part(count=3) -> tuple[Item, ...]:
    keys = generate_n_keys_between(None, None, count)
    return tuple(Item(i, key) for i, key in enumerate(keys, 1))


def ids(items) -> list[int]:
    return [item.id for item in live(items)]


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        (Place(at="start"), [9, 1, 2, 3]),
        (Place(at="end"), [1, 2, 3, 9]),
        (Place(after=1), [1, 9, 2, 3]),
        (Place(before=1), [9, 1, 2, 3]),
        (Place(after=3), [1, 2, 3, 9]),
        (Place(before=3), [1, 2, 9, 3]),
    ],
)
def test_insert_puts_the_new_item_where_asked(place, expected):
    assert ids(insert_item(part(), Item(9, "ignored"), place)) == expected


def test_insert_into_an_empty_list():
    assert insert_item((), Item(9, ""), Place(at="end")) == (Item(9, "a0"),)


def test_inserting_never_renumbers_the_others():
    items = part()

    after = insert_item(items, Item(9, ""), Place(after=1))

    assert {item for item in after if item.id != 9} == set(items)


def test_a_new_key_never_collides_with_a_tombstones():
    items = delete_item(part(), 2)

    after = insert_item(items, Item(9, ""), Place(after=1))

    assert len({item.position for item in after}) == 4
    assert [item.id for item in in_order(after)] == [1, 9, 2, 3]


def test_items_sharing_a_key_still_have_one_order_and_room_around_them():
    items = (Item(2, "a1"), Item(1, "a1"), Item(3, "a2"))

    assert [item.id for item in in_order(items)] == [1, 2, 3]
    assert ids(insert_item(items, Item(9, ""), Place(after=1))) == [1, 2, 9, 3]


@pytest.mark.parametrize(
    ("moving", "place", "expected"),
    [
        (3, Place(at="start"), [3, 1, 2]),
        (1, Place(at="end"), [2, 3, 1]),
        (3, Place(after=1), [1, 3, 2]),
        (3, Place(before=2), [1, 3, 2]),
        (3, Place(after=2), [1, 2, 3]),
        (1, Place(before=3), [2, 1, 3]),
    ],
)
def test_move_changes_only_the_moved_items_key(moving, place, expected):
    items = part()

    after = move_item(items, moving, place)

    assert ids(after) == expected
    assert {item for item in after if item.id != moving} == {
        item for item in items if item.id != moving
    }


def test_an_item_cannot_be_placed_next_to_itself():
    with pytest.raises(Invalid) as refused:
        move_item(part(), 2, Place(after=2))
    assert list(refused.value.ack()["error"]["fields"]) == ["place.after"]


def test_delete_leaves_a_tombstone_in_place():
    items = delete_item(part(), 2)

    assert ids(items) == [1, 3]
    assert find_item(items, 2).deleted
    with pytest.raises(Gone) as refused:
        delete_item(items, 2)
    assert refused.value.details == {"id": 2, "merged_into": None}


@pytest.mark.parametrize(
    "act",
    [
        lambda items: move_item(items, 2, Place(at="end")),
        lambda items: move_item(items, 1, Place(after=2)),
        lambda items: insert_item(items, Item(9, ""), Place(before=2)),
    ],
)
def test_nothing_can_be_done_to_or_next_to_a_deleted_item(act):
    with pytest.raises(Gone):
        act(delete_item(part(), 2))


def test_unknown_ids_are_not_found():
    with pytest.raises(NotFound) as refused:
        move_item(part(), 42, Place(at="end"))

    assert refused.value.ack()["error"]["code"] == "not_found"
    with pytest.raises(NotFound):
        insert_item(part(), Item(9, ""), Place(after=42))


def test_a_duplicate_id_is_a_programming_error():
    with pytest.raises(ValueError):
        insert_item(part(), Item(2, ""), Place(at="end"))


@pytest.mark.parametrize(
    "fields",
    [{}, {"after": 1, "before": 2}, {"at": "middle"}, {"after": 1, "at": "end"}],
)
def test_a_place_names_exactly_one_spot(fields):
    with pytest.raises(Invalid):
        Place(**fields)


@pytest.mark.parametrize("seed", range(20))
def test_random_inserts_moves_and_deletes_match_a_plain_list(seed):
    rng = random.Random(seed)
    items, model = part(), [1, 2, 3]
    for new_id in range(4, 150):
        kind = rng.choice(["insert", "move", "delete"]) if len(model) > 2 else "insert"
        anchor = rng.choice(model)
        if kind == "insert":
            after = rng.random() < 0.5
            items = insert_item(items, Item(new_id, ""), Place(**{_side(after): anchor}))
            model.insert(model.index(anchor) + after, new_id)
        elif kind == "move":
            moving = rng.choice([i for i in model if i != anchor])
            items = move_item(items, moving, Place(before=anchor))
            model.remove(moving)
            model.insert(model.index(anchor), moving)
        else:
            items = delete_item(items, anchor)
            model.remove(anchor)
        assert ids(items) == model
    assert len({item.position for item in items}) == len(items)


def _side(after: bool) -> str:
    return "after" if after else "before"
