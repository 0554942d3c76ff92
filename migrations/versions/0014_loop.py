"""keeping members in the loop: date polls, stored search vectors (issues 13, 15, 16)

Revision ID: 0014_loop
Revises: 0013_editing
Create Date: 2026-12-02 06:30:00

Date polls for the next session (issue 16); a list of linked items on a
notification, so the digest before a session names each vote not cast (issue 13).
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from server.db import UTCDateTime


# revision identifiers, used by Alembic.
revision: str = "0014_loop"
down_revision: Union[str, Sequence[str], None] = "0013_editing"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "date_polls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("meeting_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], name=op.f("fk_date_polls_group_id_groups"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_date_polls_created_by_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"], name=op.f("fk_date_polls_meeting_id_meetings"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_date_polls")),
    )
    with op.batch_alter_table("date_polls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_date_polls_group_id"), ["group_id"], unique=False)

    op.create_table(
        "date_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["poll_id"], ["date_polls.id"], name=op.f("fk_date_options_poll_id_date_polls"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_date_options")),
        sa.UniqueConstraint("poll_id", "starts_at", name=op.f("uq_date_options_poll_id")),
    )
    with op.batch_alter_table("date_options", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_date_options_poll_id"), ["poll_id"], unique=False)

    op.create_table(
        "date_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=12), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["option_id"], ["date_options.id"], name=op.f("fk_date_answers_option_id_date_options"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_date_answers_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_date_answers")),
        sa.UniqueConstraint("option_id", "user_id", name=op.f("uq_date_answers_option_id")),
    )
    with op.batch_alter_table("date_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_date_answers_option_id"), ["option_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_date_answers_user_id"), ["user_id"], unique=False)

    # Adding a nullable column needs no table rebuild, so the search triggers stay.
    op.add_column("notifications", sa.Column("items", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("items")
    op.drop_table("date_answers")
    op.drop_table("date_options")
    op.drop_table("date_polls")
