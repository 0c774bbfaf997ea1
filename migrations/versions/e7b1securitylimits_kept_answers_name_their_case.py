"""Kept Idempotency-Key answers name the case they carry, so closing it blanks them

Revision ID: e7b1securitylimits
Revises: e7a1publicarea
Create Date: 2026-11-30 16:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b1securitylimits'
down_revision = 'e7a1publicarea'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_idempotency_keys_case_id'), ['case_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_idempotency_keys_case_id_cases'), 'cases',
                                    ['case_id'], ['id'], ondelete='CASCADE')


def downgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_idempotency_keys_case_id_cases'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_case_id'))
        batch_op.drop_column('case_id')
