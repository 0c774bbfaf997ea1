"""Lifecycle jobs: reminders sent about stays, need counts that outlive purged cases, and request
events deletable once their case is closed (for the retention purge)

Revision ID: e10c1lifecycle
Revises: e10b1policy
Create Date: 2026-11-30 17:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e10c1lifecycle"
down_revision = "e10b1policy"
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


    _request_events_deletable_when_closed()


# request_events stay append-only (no update ever); a delete is refused unless the request's
# case is closed: only the retention purge (placement/services/case_retention.py) deletes them.
_OPEN_CASE = (
    "(SELECT c.status FROM placement_requests r JOIN cases c ON c.id = r.case_id"
    " WHERE r.id = OLD.request_id) = 'open'"
)


def _request_events_deletable_when_closed():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS request_events_append_only ON request_events")
        op.execute(
            "CREATE TRIGGER request_events_append_only BEFORE UPDATE ON request_events "
            "FOR EACH ROW EXECUTE FUNCTION streha_refuse_change()"
        )
        op.execute(
            "CREATE OR REPLACE FUNCTION streha_refuse_open_case_event_delete() RETURNS trigger"
            f" AS $$ BEGIN IF {_OPEN_CASE} THEN RAISE EXCEPTION"
            " 'request_events of an open case are append-only'; END IF; RETURN OLD; END;"
            " $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER request_events_delete_closed_only BEFORE DELETE ON request_events "
            "FOR EACH ROW EXECUTE FUNCTION streha_refuse_open_case_event_delete()"
        )
    else:
        op.execute("DROP TRIGGER IF EXISTS request_events_no_delete")
        op.execute(
            f"CREATE TRIGGER request_events_no_delete BEFORE DELETE ON request_events WHEN"
            f" {_OPEN_CASE} BEGIN SELECT RAISE(ABORT, 'request_events is append-only'); END"
        )


def _request_events_append_only_again():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS request_events_delete_closed_only ON request_events")
        op.execute("DROP FUNCTION IF EXISTS streha_refuse_open_case_event_delete()")
        op.execute("DROP TRIGGER IF EXISTS request_events_append_only ON request_events")
        op.execute(
            "CREATE TRIGGER request_events_append_only BEFORE UPDATE OR DELETE ON request_events "
            "FOR EACH ROW EXECUTE FUNCTION streha_refuse_change()"
        )
    else:
        op.execute("DROP TRIGGER IF EXISTS request_events_no_delete")
        op.execute(
            "CREATE TRIGGER request_events_no_delete BEFORE DELETE ON request_events "
            "BEGIN SELECT RAISE(ABORT, 'request_events is append-only'); END"
        )


def downgrade():
    _request_events_append_only_again()
    op.drop_table("need_counts")
    op.drop_table("stay_reminders")
