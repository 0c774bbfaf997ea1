"""Pages: each user's chosen language, and region and municipality names in other languages

Revision ID: e8w1weblayer
Revises: e7b1securitylimits
Create Date: 2026-11-30 16:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e8w1weblayer"
down_revision = "e7b1securitylimits"
branch_labels = None
depends_on = None


def upgrade():
    # add_column only (no table rebuild on SQLite), so no trigger is dropped on the way.
    op.add_column("users", sa.Column("language", sa.String(length=10), nullable=True))
    op.add_column("regions", sa.Column("names", sa.JSON(), nullable=True))
    op.add_column("municipalities", sa.Column("names", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("municipalities") as batch_op:
        batch_op.drop_column("names")
    with op.batch_alter_table("regions") as batch_op:
        batch_op.drop_column("names")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("language")
