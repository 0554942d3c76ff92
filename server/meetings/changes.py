"""What session changes tell connected browsers (delivered after commit)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SessionChanged:
    group_id: int
    id: int
    action: str  # "planned", "edited", "started", "closed", "agenda"

    def as_dict(self) -> dict:
        return {"section_id": None, "kind": "session", "id": self.id, "action": self.action}
