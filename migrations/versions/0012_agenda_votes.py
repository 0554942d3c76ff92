"""agenda: open votes as a view, not copies (issue 11)

Revision ID: 0012_agenda_votes
Revises: 0011_coproduction
Create Date: 2026-12-02 06:30:00

Every new session used to copy every open vote into its agenda (300 open votes ->
300 rows per session), and GET handlers made the copies. The agenda now stores only
the facilitators' own items and reads open votes as they are (server.meetings.agenda),
so the copied vote rows and their `vote_id` column go.

Downgrade honestly: it brings the column back, empty. The copies are not recreated
(nothing records which votes had been taken off, moved or annotated); the old code
copies the open votes again into sessions not yet closed when it next reads their
agenda, and closed sessions keep only the facilitators' own items. Notes written on
a vote ("vote:12") are untouched either way.
"""

from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012_agenda_votes"
down_revision: Union[str, Sequence[str], None] = "0011_coproduction"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Remove the copied vote rows, then the column that pointed at the vote."""
    op.execute("DELETE FROM agenda_items WHERE vote_id IS NOT NULL")
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.drop_constraint("fk_agenda_items_vote_id_votes", type_="foreignkey")
        batch_op.drop_column("vote_id")


def downgrade() -> None:
    """Bring `vote_id` back, empty (see the module docstring)."""
    with op.batch_alter_table("agenda_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vote_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_agenda_items_vote_id_votes", "votes", ["vote_id"], ["id"], ondelete="SET NULL"
        )
