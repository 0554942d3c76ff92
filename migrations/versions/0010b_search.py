"""search and mentions by member (issue 13)

Mentions were already rows by member id (`mentions`); this adds the search index.

On SQLite: an FTS5 table, `search_fts`, with one entry per live sentence, section
title, comment and suggestion, keyed id * 4 + kind (0 sentence, 1 section,
2 comment, 3 proposal), its words in `body` and its group as the word "g<id>" in
`grp` (a search reads only its group's entries), and triggers that keep it in step
in the same transaction as every change. PostgreSQL searches the rows themselves
(server/search/engines.py), through GIN indexes on the same expressions
(`ix_search_*`), which it keeps up to date itself.

Revision ID: 0010b_search
Revises: 0010_notifications
Create Date: 2026-12-02 03:10:00

"""

from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010b_search"
down_revision: Union[str, Sequence[str], None] = "0010_notifications"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# table, kind, indexed words, columns whose change re-indexes, live condition
SOURCES = [
    ("sentences", 0, "{r}.text", "text, deleted_at", "{r}.deleted_at IS NULL"),
    ("sections", 1, "{r}.title", "title, deleted_at", "{r}.deleted_at IS NULL"),
    ("comments", 2, "{r}.source", "source, deleted_at", "{r}.deleted_at IS NULL"),
    ("proposals", 3, "{r}.reason || ' ' || {r}.text", "reason, text", "1"),
]
_IN_POLICY = "(SELECT 'g' || p.group_id FROM policies p WHERE p.id = {r}.policy_id)"
GROUP = {
    "sentences": "(SELECT 'g' || p.group_id FROM sections s JOIN policies p ON p.id = s.policy_id "
    "WHERE s.id = {r}.section_id)",
    "sections": _IN_POLICY,
    "comments": _IN_POLICY,
    "proposals": _IN_POLICY,
}


# PostgreSQL: the expressions server/search/engines.py matches, indexed.
POSTGRES_INDEXES = {
    "ix_search_sentences": ("sentences", "text"),
    "ix_search_sections": ("sections", "title"),
    "ix_search_comments": ("comments", "source"),
    "ix_search_proposals": ("proposals", "(reason || ' ' || text)"),
}


def upgrade() -> None:
    """Upgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        for name, (table, body) in POSTGRES_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin (to_tsvector('simple', {body}))")
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(
        "CREATE VIRTUAL TABLE search_fts USING fts5("
        "body, grp, tokenize = 'unicode61 remove_diacritics 2')"
    )
    for table, kind, body, columns, live in SOURCES:
        new = {
            k: v.format(r="NEW") for k, v in (("body", body), ("live", live), ("grp", GROUP[table]))
        }
        key = f"NEW.id * 4 + {kind}"
        old_key = f"OLD.id * 4 + {kind}"
        op.execute(
            f"CREATE TRIGGER search_{table}_insert AFTER INSERT ON {table} "
            f"WHEN {new['live']} BEGIN "
            f"INSERT INTO search_fts (rowid, body, grp) "
            f"VALUES ({key}, {new['body']}, {new['grp']}); END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_update AFTER UPDATE OF {columns} ON {table} BEGIN "
            f"DELETE FROM search_fts WHERE rowid = {old_key}; "
            f"INSERT INTO search_fts (rowid, body, grp) SELECT {key}, {new['body']}, {new['grp']} "
            f"WHERE {new['live']}; END"
        )
        op.execute(
            f"CREATE TRIGGER search_{table}_delete AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM search_fts WHERE rowid = {old_key}; END"
        )
        r = table[0] + "_"
        op.execute(
            f"INSERT INTO search_fts (rowid, body, grp) SELECT {r}.id * 4 + {kind}, "
            f"{body.format(r=r)}, {GROUP[table].format(r=r)} FROM {table} AS {r} "
            f"WHERE {live.format(r=r)}"
        )


def downgrade() -> None:
    """Downgrade schema."""
    if op.get_bind().dialect.name == "postgresql":
        for name in POSTGRES_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        return
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, *_ in SOURCES:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS search_{table}_{event}")
    op.execute("DROP TABLE IF EXISTS search_fts")
