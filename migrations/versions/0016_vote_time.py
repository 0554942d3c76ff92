"""a vote given more time

Revision ID: 0016_vote_time
Revises: 0015_scale
Create Date: 2026-12-05 03:40:00

A facilitator may give an open vote a later closing time; the vote remembers when
and by whom they last did, so its page can say why the date moved.
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from server.db import UTCDateTime


# revision identifiers, used by Alembic.
revision: str = "0016_vote_time"
down_revision: Union[str, Sequence[str], None] = "0015_scale"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extended_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("extended_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_votes_extended_by_id_users"),
            "users",
            ["extended_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_votes_extended_by_id_users"), type_="foreignkey")
        batch_op.drop_column("extended_by_id")
        batch_op.drop_column("extended_at")
