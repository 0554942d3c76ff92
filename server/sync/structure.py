"""Change the sentence list of a section: insert, delete, split, merge, move.

Each function takes the section as it is (a tuple of SentenceState, tombstones
included) and returns the new section plus an op small enough to broadcast.
Ids of new sentences come from the caller, who owns the database.

An op naming a deleted or merged sentence is refused as gone. Ops that remove
or rewrite text (delete, split, merge) carry the versions the client saw and
are refused as a conflict if the text has moved since, so nobody destroys
typing they have not seen; the client retries on fresh text.
"""

from dataclasses import asdict, dataclass, replace
from typing import ClassVar

from .errors import Conflict, FutureVersion, Invalid
from .ordering import Place, delete_item, find_live, insert_item, live, move_item, replace_item
from .text import SentenceState, check_length

SectionState = tuple[SentenceState, ...]


@dataclass(frozen=True)
class Op:
    """What happened, for everyone watching the section."""

    kind: ClassVar[str]

    def message(self) -> dict:
        return {"op": self.kind, **asdict(self)}


@dataclass(frozen=True)
class Inserted(Op):
    kind = "insert"
    sentence: SentenceState


@dataclass(frozen=True)
class Deleted(Op):
    kind = "delete"
    id: int


@dataclass(frozen=True)
class Split(Op):
    """sentence is the first half (same id, next version); new is the rest."""

    kind = "split"
    sentence: SentenceState
    new: SentenceState


@dataclass(frozen=True)
class Merged(Op):
    """Sentence id was appended to into, joined by separator, and is now a tombstone."""

    kind = "merge"
    id: int
    into: SentenceState
    separator: str


@dataclass(frozen=True)
class Moved(Op):
    kind = "move"
    id: int
    position: str


@dataclass(frozen=True)
class StructureChange:
    section: SectionState
    op: Op


def insert_sentence(
    section: SectionState, new_id: int, text: str, place: Place, *, max_len: int
) -> StructureChange:
    """Add a sentence with a caller-given id at place."""
    check_length(text, max_len)
    section = insert_item(section, SentenceState(new_id, text, 1, ""), place)
    return StructureChange(section, Inserted(find_live(section, new_id)))


def delete_sentence(section: SectionState, sentence_id: int, base_version: int) -> StructureChange:
    """Delete a sentence whose text the client has seen at base_version."""
    _check_version(find_live(section, sentence_id), base_version)
    return StructureChange(delete_item(section, sentence_id), Deleted(sentence_id))


def split_sentence(
    section: SectionState, sentence_id: int, base_version: int, offset: int, new_id: int
) -> StructureChange:
    """Cut a sentence at offset: it keeps the first half, new_id gets the rest."""
    sentence = _check_version(find_live(section, sentence_id), base_version)
    if not 0 <= offset <= len(sentence.text):
        raise Invalid(
            f"offset {offset} is outside sentence {sentence_id}",
            fields={"offset": [f"From 0 to {len(sentence.text)}, the sentence's length."]},
        )
    first = replace(sentence, text=sentence.text[:offset], version=sentence.version + 1)
    section = replace_item(section, first)
    section = insert_item(
        section, SentenceState(new_id, sentence.text[offset:], 1, ""), Place(after=sentence_id)
    )
    return StructureChange(section, Split(first, find_live(section, new_id)))


def merge_sentence(
    section: SectionState,
    sentence_id: int,
    base_version: int,
    into_id: int,
    into_base_version: int,
    *,
    max_len: int,
    separator: str = " ",
) -> StructureChange:
    """Append a sentence to the one just before it (into_id) and tombstone it.

    The separator is left out where a space already is, or where either text is
    empty: a split after "request. " left that space on the first half, and joining
    them again gave "request.  Ask us." (the op carries the separator used, so every
    client joins the same way)."""
    sentence = _check_version(find_live(section, sentence_id), base_version)
    into = _check_version(find_live(section, into_id), into_base_version)
    order = [s.id for s in live(section)]
    if order.index(into_id) + 1 != order.index(sentence_id):
        raise Conflict.on(into, f"it is no longer just before sentence {sentence_id}")
    if not into.text or not sentence.text or into.text[-1].isspace() or sentence.text[0].isspace():
        separator = ""
    text = into.text + separator + sentence.text
    check_length(text, max_len)
    merged = replace(into, text=text, version=into.version + 1)
    section = delete_item(replace_item(section, merged), sentence_id, merged_into=into_id)
    return StructureChange(section, Merged(sentence_id, merged, separator))


def move_sentence(section: SectionState, sentence_id: int, place: Place) -> StructureChange:
    """Put a sentence elsewhere in the section; only its position key changes."""
    section = move_item(section, sentence_id, place)
    return StructureChange(section, Moved(sentence_id, find_live(section, sentence_id).position))


def _check_version(sentence: SentenceState, base_version: int) -> SentenceState:
    if base_version > sentence.version:
        raise FutureVersion.on(sentence, base_version)
    if base_version < sentence.version:
        raise Conflict.on(sentence, f"it changed since version {base_version}")
    return sentence
