"""notifications, email outbox, preferences (issue 13)

Revision ID: 0010_notifications
Revises: 0009_plain_language
Create Date: 2026-12-02 03:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0010_notifications'
down_revision: Union[str, Sequence[str], None] = '0009_plain_language'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    pass


def downgrade() -> None:
    """Downgrade schema."""
    pass
