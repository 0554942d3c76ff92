"""hardening: sockets, idempotent changes (issue 11)

Revision ID: 0007_hardening
Revises: 0006_sessions
Create Date: 2026-12-02 03:10:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0007_hardening'
down_revision: Union[str, Sequence[str], None] = '0006_sessions'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('clients',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_clients_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients'))
    )
    op.create_index(op.f('ix_clients_user_id'), 'clients', ['user_id'], unique=False)
    op.create_index(op.f('ix_clients_seen_at'), 'clients', ['seen_at'], unique=False)
    op.create_table('client_requests',
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('ref', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('reply', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_client_requests_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('client_id', 'ref', name=op.f('pk_client_requests'))
    )
    op.create_index(op.f('ix_client_requests_created_at'), 'client_requests', ['created_at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_client_requests_created_at'), table_name='client_requests')
    op.drop_table('client_requests')
    op.drop_index(op.f('ix_clients_seen_at'), table_name='clients')
    op.drop_index(op.f('ix_clients_user_id'), table_name='clients')
    op.drop_table('clients')
