"""editing: word-range comments, who decides suggestions (issue 17)

Revision ID: 0013_editing
Revises: 0012_agenda_votes
Create Date: 2026-12-02 06:30:00

Slot reserved so that work on parallel branches chains in a fixed order; empty until
its branch fills it.
"""

from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = "0013_editing"
down_revision: Union[str, Sequence[str], None] = "0012_agenda_votes"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
