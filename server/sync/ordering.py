"""Keep items in order with fractional position keys.

Sentences in a section and sections in a part are ordered the same way. Each
item carries a key from `fractional_indexing`, and keys compare bytewise, so
putting an item anywhere writes one new key and never renumbers the others.

Deleted items stay as tombstones and keep their keys. New keys are chosen
between neighbours that include tombstones, so a key never collides with a
tombstone's. If two writers ever chose the same key, ties sort by id, so every
reader still agrees on the order.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal, Protocol, TypeVar

from fractional_indexing import generate_key_between

from .errors import Gone, Invalid, NotFound


class Ordered(Protocol):
    """A frozen dataclass with an id, a position key and a deleted flag."""

    @property
    def id(self) -> int: ...

    @property
    def position(self) -> str: ...

    @property
    def deleted(self) -> bool: ...


T = TypeVar("T", bound=Ordered)


@dataclass(frozen=True)
class Place:
    """Where an item goes: after or before a live item, or at the start or end.

    Built straight from the wire, as in ``Place(**{"after": 12})``.
    """

    after: int | None = None
    before: int | None = None
    at: Literal["start", "end"] | None = None

    def __post_init__(self) -> None:
        given = [value for value in (self.after, self.before, self.at) if value is not None]
        if len(given) != 1 or self.at not in (None, "start", "end"):
            raise Invalid("give exactly one of after, before or at ('start' or 'end')")


@dataclass(frozen=True)
class Item:
    """A plain ordered item, such as a section inside a part."""

    id: int
    position: str
    deleted: bool = False


def in_order(items: Iterable[T]) -> tuple[T, ...]:
    """Return all items, tombstones included, in display order."""
    return tuple(sorted(items, key=lambda item: (item.position, item.id)))


def live(items: Iterable[T]) -> tuple[T, ...]:
    """Return the items that are not deleted, in display order."""
    return tuple(item for item in in_order(items) if not item.deleted)


def find_item(items: Iterable[T], item_id: int) -> T:
    """Return the item with this id, even a tombstone."""
    for item in items:
        if item.id == item_id:
            return item
    raise NotFound(f"no item {item_id}", id=item_id)


def ensure_live(item: T) -> T:
    """Refuse to act on a tombstone, saying where merged text went."""
    if item.deleted:
        merged_into = getattr(item, "merged_into", None)
        why = "was deleted" if merged_into is None else f"was merged into {merged_into}"
        raise Gone(f"item {item.id} {why}", id=item.id, merged_into=merged_into)
    return item


def find_live(items: Iterable[T], item_id: int) -> T:
    """Return the live item with this id."""
    return ensure_live(find_item(items, item_id))


def insert_item(items: Iterable[T], item: T, place: Place) -> tuple[T, ...]:
    """Add a new item at place; its own position is ignored and replaced."""
    items = tuple(items)
    if any(other.id == item.id for other in items):
        raise ValueError(f"id {item.id} is already used")
    return in_order((*items, replace(item, position=_position_for(items, place))))


def move_item(items: Iterable[T], item_id: int, place: Place) -> tuple[T, ...]:
    """Give a live item a new key that puts it at place."""
    items = tuple(items)
    item = find_live(items, item_id)
    return replace_item(items, replace(item, position=_position_for(items, place, item)))


def delete_item(items: Iterable[T], item_id: int, **tombstone: object) -> tuple[T, ...]:
    """Turn a live item into a tombstone, with any extra fields (merged_into)."""
    items = tuple(items)
    return replace_item(items, replace(find_live(items, item_id), deleted=True, **tombstone))


def replace_item(items: Iterable[T], item: T) -> tuple[T, ...]:
    """Swap in a new state for the item with the same id."""
    return in_order(item if other.id == item.id else other for other in items)


def _position_for(items: tuple[T, ...], place: Place, moving: T | None = None) -> str:
    """Return a key that puts an item at place, ignoring the item being moved."""
    others = [item for item in in_order(items) if moving is None or item.id != moving.id]
    keys = [item.position for item in others]
    if place.at == "start":
        return generate_key_between(None, keys[0] if keys else None)
    if place.at == "end":
        return generate_key_between(keys[-1] if keys else None, None)
    anchor_id = place.after if place.after is not None else place.before
    if moving is not None and anchor_id == moving.id:
        side = "after" if place.after is not None else "before"
        raise Invalid(
            f"item {anchor_id} cannot be placed next to itself",
            fields={f"place.{side}": ["Not the item being moved."]},
        )
    anchor = find_live(others, anchor_id).position
    if place.after is not None:
        return generate_key_between(anchor, next((key for key in keys if key > anchor), None))
    return generate_key_between(next((key for key in reversed(keys) if key < anchor), None), anchor)
