"""The two ways of finding words, behind one call: `find(db, group_id, terms, limit)`.

SQLite (the default) keeps an FTS5 index, `search_fts`, that triggers on the
sentences, sections, comments and proposals tables update in the same transaction
as any change to them, whichever code made it (live editing, restoring history,
applying a suggestion). A row's index key is its id * 4 + its kind, so a trigger
replaces one entry by key without scanning the index; its group is a word of its
own ("g12" in the column `grp`), so a search reads and ranks only its group's
entries however many groups the server holds.

PostgreSQL matches the current rows themselves with its full-text functions
(`to_tsvector(...) @@ to_tsquery(...)`), through GIN indexes on exactly those
expressions (migration 0010b), which PostgreSQL keeps up to date itself.

Either way a hit is joined back to the live row and checked there: in the group,
not deleted, on a section that is not deleted. Text deleted since is never found,
even if an index entry were stale, and nothing from another group is returned.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

KINDS = ("sentence", "section", "comment", "proposal")  # index key = id * 4 + position


@dataclass(frozen=True)
class Found:
    kind: str
    id: int
    score: float  # higher is better, comparable within one search only


def find(db: Session, group_id: int, terms: list[str], limit: int) -> list[Found]:
    """The best `limit` hits for all of `terms` (each a word's start) in a group."""
    if not terms:
        return []
    if db.get_bind().dialect.name == "postgresql":
        return _postgres(db, group_id, terms, limit)
    return _sqlite(db, group_id, terms, limit)


# --- SQLite FTS5 ----------------------------------------------------------------------------

_LIVE_SQLITE = {
    0: "SELECT 1 FROM sentences st JOIN sections s ON s.id = st.section_id "
    "JOIN policies p ON p.id = s.policy_id WHERE st.id = search_fts.rowid / 4 "
    "AND st.deleted_at IS NULL AND s.deleted_at IS NULL AND p.group_id = :group_id",
    1: "SELECT 1 FROM sections s JOIN policies p ON p.id = s.policy_id "
    "WHERE s.id = search_fts.rowid / 4 AND s.deleted_at IS NULL AND p.group_id = :group_id",
    2: "SELECT 1 FROM comments c JOIN sections s ON s.id = c.section_id "
    "JOIN policies p ON p.id = c.policy_id WHERE c.id = search_fts.rowid / 4 "
    "AND c.deleted_at IS NULL AND s.deleted_at IS NULL AND p.group_id = :group_id",
    3: "SELECT 1 FROM proposals r JOIN sections s ON s.id = r.section_id "
    "JOIN policies p ON p.id = r.policy_id WHERE r.id = search_fts.rowid / 4 "
    "AND s.deleted_at IS NULL AND p.group_id = :group_id",
}
# Built once from the constants above; only bound parameters carry what was typed.
_SQLITE = text(
    "SELECT search_fts.rowid, bm25(search_fts, 1.0, 0.0) AS score FROM search_fts "  # noqa: S608
    "WHERE search_fts MATCH :match AND ("
    + " OR ".join(
        f"(search_fts.rowid % 4 = {k} AND EXISTS ({sql}))" for k, sql in _LIVE_SQLITE.items()
    )
    + ") ORDER BY score LIMIT :limit"
)


def _sqlite(db: Session, group_id: int, terms: list[str], limit: int) -> list[Found]:
    # Each term is letters and digits only (server.search.terms), so quoting it
    # makes a plain word: nothing typed is read as FTS5 query syntax.
    match = f"grp : g{int(group_id)} AND body : (" + " ".join(f'"{t}"*' for t in terms) + ")"
    rows = db.execute(_SQLITE, {"match": match, "group_id": group_id, "limit": limit})
    return [Found(KINDS[key % 4], key // 4, -rank) for key, rank in rows]


# --- PostgreSQL full-text search ---------------------------------------------------------

_BODY_PG = {
    "sentence": (
        "st.text",
        "FROM sentences st JOIN sections s ON s.id = st.section_id "
        "JOIN policies p ON p.id = s.policy_id "
        "WHERE st.deleted_at IS NULL AND s.deleted_at IS NULL",
        "st.id",
    ),
    "section": (
        "s.title",
        "FROM sections s JOIN policies p ON p.id = s.policy_id WHERE s.deleted_at IS NULL",
        "s.id",
    ),
    "comment": (
        "c.source",
        "FROM comments c JOIN sections s ON s.id = c.section_id "
        "JOIN policies p ON p.id = c.policy_id "
        "WHERE c.deleted_at IS NULL AND s.deleted_at IS NULL",
        "c.id",
    ),
    "proposal": (
        "r.reason || ' ' || r.text",
        "FROM proposals r JOIN sections s ON s.id = r.section_id "
        "JOIN policies p ON p.id = r.policy_id WHERE s.deleted_at IS NULL",
        "r.id",
    ),
}
_POSTGRES = text(
    " UNION ALL ".join(
        f"(SELECT '{kind}' AS kind, {key} AS id, "
        f"ts_rank(to_tsvector('simple', {body}), to_tsquery('simple', :query)) AS score "
        f"{source} AND p.group_id = :group_id "
        f"AND to_tsvector('simple', {body}) @@ to_tsquery('simple', :query))"
        for kind, (body, source, key) in _BODY_PG.items()
    )
    + " ORDER BY score DESC, id LIMIT :limit"
)


def _postgres(db: Session, group_id: int, terms: list[str], limit: int) -> list[Found]:
    # 'simple' keeps every word as written (lower case, no stemming), like FTS5 here.
    query = " & ".join(f"{t}:*" for t in terms)
    rows = db.execute(_POSTGRES, {"query": query, "group_id": group_id, "limit": limit})
    return [Found(kind, id_, float(score)) for kind, id_, score in rows]


def not_search_index(name: str | None, type_: str, parent_names: dict) -> bool:
    """For Alembic's include_name: the search indexes (on SQLite an FTS5 table and
    the tables FTS5 keeps for it; on PostgreSQL GIN indexes on expressions) are made
    by SQL in their migration; no model describes them."""
    name = name or ""
    if type_ == "table":
        return not name.startswith("search_fts")
    if type_ == "index":
        return not name.startswith("ix_search_")
    return True
