"""Shelters: a phone line for referrals (confirming a bed by phone), never an address

Revision ID: e9c1referralphone
Revises: e8w1weblayer
Create Date: 2026-11-30 17:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e9c1referralphone"
down_revision = "e8w1weblayer"
branch_labels = None
depends_on = None


def upgrade():
    # add_column only: no rebuild of the table on SQLite, so no trigger is dropped.
    op.add_column("shelters", sa.Column("referral_phone", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("shelters") as batch_op:
        batch_op.drop_column("referral_phone")
