"""Shelter public areas (anchor, privacy radius, touched municipalities), municipality
boundaries, and the network's privacy and map settings

Revision ID: e7a1publicarea
Revises: b6cb72c16ce1
Create Date: 2026-11-30 17:00:00

Existing shelters get the anchor their location_disclosure names (municipality or region
centroid), the default radius of their level (3 km, 35 km), and, until the next network load
or administrator change recomputes it from polygons, every municipality as their area: the most
conservative H6 there is.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7a1publicarea'
down_revision = 'b6cb72c16ce1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('network_settings',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('privacy_radius_municipality_km', sa.Float(), nullable=False),
    sa.Column('privacy_radius_region_km', sa.Float(), nullable=False),
    sa.Column('municipality_reach_km', sa.Float(), nullable=True),
    sa.Column('geometry_source', sa.String(length=300), nullable=True),
    sa.Column('geometry_attribution', sa.Text(), nullable=True),
    sa.CheckConstraint('id = 1', name=op.f('ck_network_settings_single_row')),
    sa.CheckConstraint('privacy_radius_municipality_km > 0', name=op.f('ck_network_settings_municipality_radius')),
    sa.CheckConstraint('privacy_radius_region_km > 0', name=op.f('ck_network_settings_region_radius')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_settings'))
    )
    # Plain ADD COLUMN on both databases: a batch copy of these tables on SQLite would trip the
    # foreign keys that rooms and shelters hold on them once they have rows.
    op.add_column('municipalities', sa.Column('boundary', sa.JSON(), nullable=True))
    op.add_column('shelters', sa.Column('anchor_lat', sa.Float(), nullable=True))
    op.add_column('shelters', sa.Column('anchor_lon', sa.Float(), nullable=True))
    op.add_column('shelters', sa.Column('anchor_set', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('shelters', sa.Column('privacy_radius_km', sa.Float(), nullable=True))
    op.add_column('shelters', sa.Column('privacy_radius_set', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('shelters', sa.Column('area_municipalities', sa.JSON(), nullable=True))
    _fill_existing_shelters()


def _fill_existing_shelters():
    connection = op.get_bind()
    codes = [row[0] for row in connection.execute(sa.text('SELECT code FROM municipalities ORDER BY code'))]
    shelters = sa.table('shelters', sa.column('id', sa.Integer), sa.column('anchor_lat', sa.Float),
                        sa.column('anchor_lon', sa.Float), sa.column('privacy_radius_km', sa.Float),
                        sa.column('area_municipalities', sa.JSON))
    rows = connection.execute(sa.text(
        'SELECT s.id, s.location_disclosure, m.lat, m.lon, r.lat, r.lon FROM shelters s'
        ' JOIN municipalities m ON m.code = s.municipality_code'
        ' JOIN regions r ON r.code = s.region_code')).all()
    for shelter_id, level, m_lat, m_lon, r_lat, r_lon in rows:
        at_region = level == 'region'
        connection.execute(shelters.update().where(shelters.c.id == shelter_id).values(
            anchor_lat=r_lat if at_region else m_lat, anchor_lon=r_lon if at_region else m_lon,
            privacy_radius_km=35.0 if at_region else 3.0, area_municipalities=codes))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+), for the same reason.
    for column in ('area_municipalities', 'privacy_radius_set', 'privacy_radius_km',
                   'anchor_set', 'anchor_lon', 'anchor_lat'):
        op.drop_column('shelters', column)
    op.drop_column('municipalities', 'boundary')
    op.drop_table('network_settings')
