"""agenda: open votes as a view, not copies (issue 11)

Revision ID: 0012_agenda_votes
Revises: 0011_coproduction
Create Date: 2026-12-02 06:30:00

Slot reserved so that work on parallel branches chains in a fixed order; empty until
its branch fills it.
"""

from typing import Sequence, Union


# revision identifiers, used by Alembic.
revision: str = "0012_agenda_votes"
down_revision: Union[str, Sequence[str], None] = "0011_coproduction"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
