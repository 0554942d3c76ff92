"""editing: word-range comments, who decides suggestions (issue 17)

Revision ID: 0013_editing
Revises: 0012_agenda_votes
Create Date: 2026-12-02 06:30:00

New tables rather than new columns on comments and proposals: rebuilding those
tables on SQLite would drop their search triggers (0010b_search).
"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from server.db import UTCDateTime


# revision identifiers, used by Alembic.
revision: str = "0013_editing"
down_revision: Union[str, Sequence[str], None] = "0012_agenda_votes"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('proposal_decisions',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('subgroup_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('decided_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_proposal_decisions_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_decisions_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subgroup_id'], ['subgroups.id'], name=op.f('fk_proposal_decisions_subgroup_id_subgroups'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('proposal_id', name=op.f('pk_proposal_decisions'))
    )
    op.create_table('comment_ranges',
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('sentence_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('words', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_ranges_comment_id_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sentence_id'], ['sentences.id'], name=op.f('fk_comment_ranges_sentence_id_sentences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('comment_id', name=op.f('pk_comment_ranges'))
    )
    with op.batch_alter_table('comment_ranges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_ranges_sentence_id'), ['sentence_id'], unique=False)
    with op.batch_alter_table('decision_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('wording_decided_by', sa.Enum('group', 'subgroup', name='wording_decider', native_enum=False, length=20), server_default='group', nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggestions_inline', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('suggestions_inline')
    with op.batch_alter_table('decision_rules', schema=None) as batch_op:
        batch_op.drop_column('wording_decided_by')
    with op.batch_alter_table('comment_ranges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_ranges_sentence_id'))
    op.drop_table('comment_ranges')
    op.drop_table('proposal_decisions')
