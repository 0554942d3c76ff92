"""hardening: bounded pages, agenda votes as a view, scheduled jobs (issue 11)

Revision ID: 0007b_hardening_pages
Revises: 0007_hardening
Create Date: 2026-12-02 03:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007b_hardening_pages'
down_revision: Union[str, Sequence[str], None] = '0007_hardening'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
