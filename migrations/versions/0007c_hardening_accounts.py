"""hardening: sign-in throttling, resets and tokens (issue 11)

No table changes: throttling lives in the rate limiter's storage, and a password
reset ends API tokens through the existing revoked_at column. The one data change:
display names stored before names were cleaned (server.text.clean.clean_name) lose
their invisible characters (bidi overrides, zero-width and blank characters), so a
name already in the database cannot pass for another in a members list. Display
names carry no unique constraint, so cleaning cannot clash.

Revision ID: 0007c_hardening_accounts
Revises: 0007b_hardening_pages
Create Date: 2026-12-02 03:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007c_hardening_accounts'
down_revision: Union[str, Sequence[str], None] = '0007b_hardening_pages'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_users = sa.table("users", sa.column("id", sa.Integer), sa.column("display_name", sa.String))


def upgrade() -> None:
    """Clean the display names already stored, by the rule new names follow."""
    from server.text.clean import clean_name

    bind = op.get_bind()
    for user_id, name in bind.execute(sa.select(_users.c.id, _users.c.display_name)).all():
        cleaned = clean_name(name or "") or "?"  # a name of only invisible characters
        if cleaned != name:
            bind.execute(
                sa.update(_users).where(_users.c.id == user_id).values(display_name=cleaned)
            )


def downgrade() -> None:
    """Nothing to undo: the removed characters drew nothing and are not kept."""
