"""Optimizer runs: queued for the worker, succeeded or failed with a reason, their time limit

Revision ID: e11a1runqueue
Revises: e8o1occupancy
Create Date: 2026-11-30 17:45:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e11a1runqueue"
down_revision = "e8o1occupancy"
branch_labels = None
depends_on = None

OLD = "status IN ('running', 'done', 'failed')"
NEW = "status IN ('queued', 'running', 'succeeded', 'failed')"


def upgrade():
    # optimizer_runs carries no trigger, so SQLite's batch rebuild loses nothing.
    with op.batch_alter_table("optimizer_runs") as batch_op:
        batch_op.drop_constraint(op.f("ck_optimizer_runs_status"), type_="check")
        batch_op.add_column(sa.Column("time_limit", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("failure", sa.String(length=200), nullable=True))
    op.execute("UPDATE optimizer_runs SET status = 'succeeded' WHERE status = 'done'")
    with op.batch_alter_table("optimizer_runs") as batch_op:
        batch_op.create_check_constraint(op.f("ck_optimizer_runs_status"), NEW)


def downgrade():
    with op.batch_alter_table("optimizer_runs") as batch_op:
        batch_op.drop_constraint(op.f("ck_optimizer_runs_status"), type_="check")
    op.execute("UPDATE optimizer_runs SET status = 'done' WHERE status = 'succeeded'")
    op.execute("UPDATE optimizer_runs SET status = 'failed' WHERE status IN ('queued', 'running')")
    with op.batch_alter_table("optimizer_runs") as batch_op:
        batch_op.drop_column("failure")
        batch_op.drop_column("time_limit")
        batch_op.create_check_constraint(op.f("ck_optimizer_runs_status"), OLD)
