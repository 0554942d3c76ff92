"""hardening: sign-in throttling, resets and tokens (issue 11)

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


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
