"""live editing at scale (issue 14)

Revision ID: 0015_scale
Revises: 0014_loop
Create Date: 2026-12-02 06:30:00

Slot reserved so that work on parallel branches chains in a fixed order; empty until
its branch fills it.
"""

from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = "0015_scale"
down_revision: Union[str, Sequence[str], None] = "0014_loop"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
