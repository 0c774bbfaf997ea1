"""Join the web layer's and the occupancy branch's revisions (no schema change)

Both were written on b6cb72c16ce1; the coordinators' pages need both, so this revision makes
them one line again. When main chains them one after the other, this joins nothing more than a
revision and its ancestor and can be dropped.

Revision ID: e9k1coordpages
Revises: e8w1weblayer, e8o1occupancy
Create Date: 2026-11-30 17:45:00
"""

revision = "e9k1coordpages"
down_revision = ("e8w1weblayer", "e8o1occupancy")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
