"""Refusals the sync engine reports to the client that asked.

Each refusal has a snake_case `code` and JSON-ready `details`, so a socket
handler can answer any of them the same way: ``ack = error.ack()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .text import SentenceState


class SyncError(Exception):
    """A request the engine refuses; nothing has changed."""

    code: ClassVar[str]

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.details = details

    def ack(self) -> dict:
        """Return the reply for the client that sent the request."""
        return {"ok": False, "error": {"code": self.code, "message": str(self), **self.details}}


class BadPatch(SyncError):
    """The patch text is not diff-match-patch patch_toText output."""

    code = "bad_patch"


class FutureVersion(SyncError):
    """The client claims a version the server has not made yet."""

    code = "future_version"

    @classmethod
    def on(cls, sentence: SentenceState, base_version: int) -> FutureVersion:
        return cls(
            f"sentence {sentence.id} is at version {sentence.version}, not {base_version}",
            id=sentence.id,
            version=sentence.version,
        )


class Conflict(SyncError):
    """The request was made against text that has since changed too much.

    The details carry the sentence's current text and version, so the client
    can rebase its own changes and retry without a round trip.
    """

    code = "conflict"

    @classmethod
    def on(cls, sentence: SentenceState, why: str) -> Conflict:
        """Refuse, telling the client the sentence's current text and version."""
        return cls(
            f"sentence {sentence.id}: {why}",
            id=sentence.id,
            version=sentence.version,
            text=sentence.text,
        )


class TooLong(SyncError):
    """The result would be longer than allowed; it is refused, never truncated."""

    code = "too_long"


class Gone(SyncError):
    """The item was deleted, or merged into another (details: merged_into)."""

    code = "gone"


class NotFound(SyncError):
    """No item has that id (not even a tombstone)."""

    code = "not_found"


class Invalid(SyncError):
    """The request cannot mean anything, such as a split beyond the text's end."""

    code = "invalid"
