"""Occupancy snapshots and municipal population

Revision ID: e8o1occupancy
Revises: b6cb72c16ce1
Create Date: 2026-11-30 16:42:01.860739

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e8o1occupancy'
down_revision = 'b6cb72c16ce1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('occupancy_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shelter_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=40), nullable=False),
    sa.Column('hour', sa.DateTime(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('occupied', sa.Integer(), nullable=False),
    sa.Column('held', sa.Integer(), nullable=False),
    sa.Column('out_of_service', sa.Integer(), nullable=False),
    sa.CheckConstraint('occupied >= 0 AND held >= 0 AND out_of_service >= 0 AND occupied + held + out_of_service <= total', name=op.f('ck_occupancy_snapshots_counts')),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_occupancy_snapshots_region_code_regions')),
    sa.ForeignKeyConstraint(['shelter_id'], ['shelters.id'], name=op.f('fk_occupancy_snapshots_shelter_id_shelters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occupancy_snapshots')),
    sa.UniqueConstraint('shelter_id', 'hour', name=op.f('uq_occupancy_snapshots_shelter_id_hour'))
    )
    with op.batch_alter_table('occupancy_snapshots', schema=None) as batch_op:
        batch_op.create_index('ix_occupancy_snapshots_hour_region', ['hour', 'region_code'], unique=False)

    # A plain ADD COLUMN: batch mode does it in place on SQLite, no table rebuild.
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('population', sa.Integer(), nullable=True))



def downgrade():
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.drop_column('population')

    with op.batch_alter_table('occupancy_snapshots', schema=None) as batch_op:
        batch_op.drop_index('ix_occupancy_snapshots_hour_region')

    op.drop_table('occupancy_snapshots')
