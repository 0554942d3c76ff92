"""Plain-dict views of policy text, the same for the op log, live snapshots and
the API, so a client sees one shape wherever a sentence or section comes from."""

from __future__ import annotations

from server.policies.models import Section, Sentence


def sentence_view(row: Sentence) -> dict:
    return {"id": row.id, "text": row.text, "version": row.version, "position": row.position}


def section_view(row: Section, sentences: list[Sentence]) -> dict:
    return {
        "id": row.id,
        "part_id": row.part_id,
        "position": row.position,
        "title": row.title,
        "kind": row.kind.value,
        "status": row.status.value,
        "subgroup_id": row.subgroup_id,
        "sentences": [sentence_view(s) for s in sentences],
    }
