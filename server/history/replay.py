"""The policy as a plain value, and how each op changes it. Pure: no database.

Every op in the log carries what a reader needs to apply it (the whole new text
of an edited sentence, the whole inserted section), so replaying ops from a
snapshot gives exactly the policy at any later seq. Only live things are kept:
no op ever names a deleted sentence or section again.

Order follows the sync engine's rule (server.sync.ordering): by position key
compared bytewise, then by id.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass, field


def _order(rows):
    return sorted(rows, key=lambda r: (r["position"], r["id"]))


@dataclass
class PolicyState:
    """Live parts, sections and sentences by id, each a small dict."""

    parts: dict[int, dict] = field(default_factory=dict)
    sections: dict[int, dict] = field(default_factory=dict)
    sentences: dict[int, dict] = field(default_factory=dict)

    # --- applying ops --------------------------------------------------------------

    def apply(self, op: dict) -> None:
        """Change the state as `op` did; an op kind this does not know changes nothing."""
        handler = getattr(self, "_on_" + str(op.get("op")), None)
        if handler is not None:
            handler(op)

    def _sentence(self, data: dict, section_id: int) -> None:
        self.sentences[data["id"]] = {
            "id": data["id"],
            "section_id": section_id,
            "position": data["position"],
            "text": data["text"],
            "version": data["version"],
        }

    def _on_edit(self, op):
        s = self.sentences.get(op["id"])
        if s is not None:
            s["text"], s["version"] = op["text"], op["version"]

    def _on_insert(self, op):
        self._sentence(op["sentence"], op["section_id"])

    def _on_delete(self, op):
        self.sentences.pop(op["id"], None)

    def _on_split(self, op):
        self._sentence(op["sentence"], op["section_id"])
        self._sentence(op["new"], op["section_id"])

    def _on_merge(self, op):
        self.sentences.pop(op["id"], None)
        self._sentence(op["into"], op["section_id"])

    def _on_move(self, op):
        s = self.sentences.get(op["id"])
        if s is not None:
            s["position"] = op["position"]

    def _on_section_insert(self, op):
        sec = op["section"]
        self.sections[sec["id"]] = {
            k: sec[k]
            for k in ("id", "part_id", "position", "title", "kind", "status", "subgroup_id")
        }
        for s in sec.get("sentences", []):
            self._sentence(s, sec["id"])

    def _on_section_delete(self, op):
        if self.sections.pop(op["id"], None) is not None:
            for sid in [i for i, s in self.sentences.items() if s["section_id"] == op["id"]]:
                del self.sentences[sid]

    def _on_section_move(self, op):
        sec = self.sections.get(op["id"])
        if sec is not None:
            sec["position"] = op["position"]

    def _on_section_update(self, op):
        sec = self.sections.get(op["id"])
        if sec is not None:
            for key in ("title", "subgroup_id", "status", "kind"):
                if key in op:
                    sec[key] = op[key]

    def _on_part_insert(self, op):
        part = op["part"]
        self.parts[part["id"]] = {
            "id": part["id"],
            "title": part["title"],
            "position": part["position"],
            "intro": part.get("intro", ""),
        }

    def _on_part_update(self, op):
        part = self.parts.get(op["id"])
        if part is not None:
            for key in ("title", "intro"):
                if key in op:
                    part[key] = op[key]

    # --- reading ---------------------------------------------------------------------

    def outline(self) -> list[dict]:
        """Parts in order, each with its sections in order, each with its sentences."""
        by_section: dict[int, list[dict]] = {i: [] for i in self.sections}
        for s in self.sentences.values():
            by_section.setdefault(s["section_id"], []).append(s)
        by_part: dict[int, list[dict]] = {i: [] for i in self.parts}
        for sec in self.sections.values():
            by_part.setdefault(sec["part_id"], []).append(sec)
        out = []
        for part in _order(self.parts.values()):
            out.append(
                {
                    **part,
                    "sections": [
                        {**sec, "sentences": [dict(s) for s in _order(by_section[sec["id"]])]}
                        for sec in _order(by_part.get(part["id"], []))
                    ],
                }
            )
        return out

    def section_sentences(self, section_id: int) -> list[dict]:
        return _order(s for s in self.sentences.values() if s["section_id"] == section_id)

    # --- storing -----------------------------------------------------------------------

    def dump(self) -> bytes:
        """Compact, compressed bytes for a snapshot row."""
        data = {
            "parts": [
                [p["id"], p["title"], p["position"], p["intro"]] for p in self.parts.values()
            ],
            "sections": [
                [
                    s["id"],
                    s["part_id"],
                    s["position"],
                    s["title"],
                    s["kind"],
                    s["status"],
                    s["subgroup_id"],
                ]
                for s in self.sections.values()
            ],
            "sentences": [
                [s["id"], s["section_id"], s["position"], s["text"], s["version"]]
                for s in self.sentences.values()
            ],
        }
        return zlib.compress(json.dumps(data, separators=(",", ":")).encode(), 6)

    @classmethod
    def load(cls, blob: bytes) -> PolicyState:
        data = json.loads(zlib.decompress(blob))
        state = cls()
        for i, title, pos, intro in data["parts"]:
            state.parts[i] = {"id": i, "title": title, "position": pos, "intro": intro}
        for i, part_id, pos, title, kind, status, sub in data["sections"]:
            state.sections[i] = {
                "id": i,
                "part_id": part_id,
                "position": pos,
                "title": title,
                "kind": kind,
                "status": status,
                "subgroup_id": sub,
            }
        for i, section_id, pos, text, version in data["sentences"]:
            state.sentences[i] = {
                "id": i,
                "section_id": section_id,
                "position": pos,
                "text": text,
                "version": version,
            }
        return state
