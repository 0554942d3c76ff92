"""What session changes tell connected browsers (delivered after commit)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SessionChanged:
    group_id: int
    id: int
    action: str  # "planned", "edited", "started", "closed", "agenda", "cancelled"
    # A cancelled session is gone when its members are told: what they read of it.
    title: str = ""
    starts_at: str = ""  # ISO 8601
    actor_id: int | None = None  # who cancelled it: not told

    def as_dict(self) -> dict:
        return {"section_id": None, "kind": "session", "id": self.id, "action": self.action}


@dataclass(frozen=True)
class ActionGiven:
    """An action agreed in a session was given to a member (they are told; nothing
    changes on open pages)."""

    group_id: int
    id: int  # the action
    actor_id: int | None


@dataclass(frozen=True)
class DatesAsked:
    """A facilitator asked the group which dates suit them for the next session
    (members are told; nothing changes on open pages)."""

    group_id: int
    id: int  # the date poll
    actor_id: int | None
