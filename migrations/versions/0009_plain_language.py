"""plain language: hints and the group glossary (issue 15)

Revision ID: 0009_plain_language
Revises: 0008_publishing
Create Date: 2026-12-02 03:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009_plain_language'
down_revision: Union[str, Sequence[str], None] = '0008_publishing'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
