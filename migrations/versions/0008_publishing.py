"""publishing: releases, public pages, credits (issue 12)

Revision ID: 0008_publishing
Revises: 0007c_hardening_accounts
Create Date: 2026-12-02 03:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0008_publishing'
down_revision: Union[str, Sequence[str], None] = '0007c_hardening_accounts'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
