"""What a glossary change tells the rest of the server (delivered after commit)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GlossaryChanged:
    """The accepted glossary of a group changed for these terms (lower case): added,
    renamed (old and new), or removed. Sentences using them have new jargon hints
    (server/realtime/hints_feed.py recomputes and sends them)."""

    group_id: int
    term_keys: tuple[str, ...]
