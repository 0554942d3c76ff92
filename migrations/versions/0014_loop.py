"""keeping members in the loop: date polls, stored search vectors (issues 13, 15, 16)

Revision ID: 0014_loop
Revises: 0013_editing
Create Date: 2026-12-02 06:30:00

Slot reserved so that work on parallel branches chains in a fixed order; empty until
its branch fills it.
"""

from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = "0014_loop"
down_revision: Union[str, Sequence[str], None] = "0013_editing"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
