"""Lifecycle jobs: reminders sent about stays, and need counts that outlive purged cases

Revision ID: e10c1lifecycle
Revises: e8w1weblayer
Create Date: 2026-11-30 17:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e10c1lifecycle"
down_revision = "e8w1weblayer"
branch_labels = None
depends_on = None


def upgrade():
    # New tables only: no existing table is rebuilt, so no trigger is dropped on the way.
    op.create_table(
        "stay_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("reason IN ('reflection_period', 'planned_departure')",
                           name=op.f("ck_stay_reminders_reason")),
        sa.ForeignKeyConstraint(["placement_id"], ["placements.id"],
                                name=op.f("fk_stay_reminders_placement_id_placements")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stay_reminders")),
        sa.UniqueConstraint("placement_id", "reason",
                            name=op.f("uq_stay_reminders_placement_id_reason")),
    )
    op.create_table(
        "need_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("municipality", sa.String(length=60), nullable=False),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("urgency", sa.String(length=12), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint("count >= 0", name=op.f("ck_need_counts_count")),
        sa.ForeignKeyConstraint(["municipality"], ["municipalities.code"],
                                name=op.f("fk_need_counts_municipality_municipalities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_need_counts")),
        sa.UniqueConstraint("month", "municipality", "category", "urgency", "outcome",
                            name=op.f("uq_need_counts_month_municipality_category_urgency_outcome")),
    )


def downgrade():
    op.drop_table("need_counts")
    op.drop_table("stay_reminders")
