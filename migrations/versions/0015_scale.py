"""live editing at scale (issue 14)

Revision ID: 0015_scale
Revises: 0014_loop
Create Date: 2026-12-02 06:30:00

A one-row counter moved by every change that may end a live socket's credential,
so the live edit path reads it once per batch instead of each socket's credential
once per edit (server.presence.credential_epoch).
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0015_scale"
down_revision: Union[str, Sequence[str], None] = "0014_loop"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    epoch = op.create_table(
        "credential_epoch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_epoch")),
    )
    op.bulk_insert(epoch, [{"id": 1, "value": 0}])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("credential_epoch")
