"""Live beds by room and status: an index the occupancy counts read instead of the bed rows

Revision ID: e8o2occupancyidx
Revises: e10c1lifecycle
Create Date: 2026-11-30 20:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e8o2occupancyidx"
down_revision = "e10c1lifecycle"
branch_labels = None
depends_on = None


def upgrade():
    # A new index only: no table is rebuilt, so no trigger is dropped on the way.
    op.create_index("ix_beds_live_room_status", "beds", ["room_id", "status"], unique=False,
                    sqlite_where=sa.text("removed_at IS NULL"),
                    postgresql_where=sa.text("removed_at IS NULL"))


def downgrade():
    op.drop_index("ix_beds_live_room_status", table_name="beds")
