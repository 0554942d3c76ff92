"""plain language: hints and the group glossary (issue 15)

Revision ID: 0009_plain_language
Revises: 0008_publishing
Create Date: 2026-12-02 03:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0009_plain_language'
down_revision: Union[str, Sequence[str], None] = '0008_publishing'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('glossary_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=80), nullable=False),
    sa.Column('term_key', sa.String(length=80), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('suggested', 'accepted', name='glossary_term_status', native_enum=False, length=20), nullable=False),
    sa.Column('from_starter', sa.Boolean(), nullable=False),
    sa.Column('suggested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_glossary_terms_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['suggested_by_id'], ['users.id'], name=op.f('fk_glossary_terms_suggested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_glossary_terms')),
    sa.UniqueConstraint('group_id', 'term_key', name=op.f('uq_glossary_terms_group_id'))
    )
    with op.batch_alter_table('glossary_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_glossary_terms_group_id'), ['group_id'], unique=False)

    op.create_table('glossary_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_glossary_changes_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_glossary_changes_group_id_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_glossary_changes'))
    )
    with op.batch_alter_table('glossary_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_glossary_changes_group_id'), ['group_id'], unique=False)

    op.create_table('hint_dismissals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sentence_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('dismissed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dismissed_by_id'], ['users.id'], name=op.f('fk_hint_dismissals_dismissed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sentence_id'], ['sentences.id'], name=op.f('fk_hint_dismissals_sentence_id_sentences'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hint_dismissals')),
    sa.UniqueConstraint('sentence_id', 'code', name=op.f('uq_hint_dismissals_sentence_id'))
    )
    with op.batch_alter_table('hint_dismissals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hint_dismissals_sentence_id'), ['sentence_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('hint_dismissals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hint_dismissals_sentence_id'))
    op.drop_table('hint_dismissals')
    with op.batch_alter_table('glossary_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_glossary_changes_group_id'))
    op.drop_table('glossary_changes')
    with op.batch_alter_table('glossary_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_glossary_terms_group_id'))
    op.drop_table('glossary_terms')
