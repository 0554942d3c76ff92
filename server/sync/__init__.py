"""The sync engine: pure functions that merge concurrent edits to a section.

No Flask, no sockets, no database and no I/O (a test enforces it), in the
spirit of Etherpad's Changeset module: the socket layer loads state, calls one
function here, saves the result, acks the sender and broadcasts the op.

- text: apply a client's diff-match-patch patch to one sentence.
- structure: insert, delete, split, merge and move sentences in a section.
- ordering: fractional position keys, shared by sentences and sections.
- client: a reference model of a browser, mirrored by the JavaScript editor.
- errors: the refusals, each with a snake_case code for the client.
"""

from .errors import BadPatch, Conflict, FutureVersion, Gone, Invalid, NotFound, SyncError, TooLong
from .ordering import Item, Place, delete_item, insert_item, live, move_item
from .structure import (
    SectionState,
    StructureChange,
    delete_sentence,
    insert_sentence,
    merge_sentence,
    move_sentence,
    split_sentence,
)
from .text import SentenceState, TextEditResult, apply_text_edit, same_words

__all__ = [
    "BadPatch",
    "Conflict",
    "FutureVersion",
    "Gone",
    "Invalid",
    "Item",
    "NotFound",
    "Place",
    "SectionState",
    "SentenceState",
    "StructureChange",
    "SyncError",
    "TextEditResult",
    "TooLong",
    "apply_text_edit",
    "same_words",
    "delete_item",
    "delete_sentence",
    "insert_item",
    "insert_sentence",
    "live",
    "merge_sentence",
    "move_item",
    "move_sentence",
    "split_sentence",
]
