"""What review changes tell connected browsers. Published with the change and
delivered after commit (server.events); server/realtime/review_feed.py sends it to
everyone in the policy. It names what changed, never how anyone voted: pages fetch
what they show through the same checks as any request."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from server.events import publish


@dataclass(frozen=True)
class ReviewChanged:
    policy_id: int
    section_id: int
    kind: str  # "comment", "proposal", "vote" or "section"
    id: int
    action: str  # "added", "edited", "deleted", "resolved", "reopened", "withdrawn",
    # "voting", "voted", "closed", "ready", "agreed"...

    def as_dict(self) -> dict:
        return {
            "section_id": self.section_id,
            "kind": self.kind,
            "id": self.id,
            "action": self.action,
        }


def announce(
    db: Session, policy_id: int, section_id: int, kind: str, id_: int, action: str
) -> None:
    publish(db, ReviewChanged(policy_id, section_id, kind, id_, action))
