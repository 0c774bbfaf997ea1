"""Audit log in chains: rows name their chain and position, one signed head per chain, and a
sequence numbers the rows of every chain (no global append lock)

Revision ID: e11d1auditchain
Revises: e8o2occupancyidx
Create Date: 2026-11-30 20:30:00

The rows written so far become chain 1 at position = seq, and the one head becomes chain 1's
head; both keep the encodings they were signed with (services/audit.py checks those too), so an
upgraded log verifies without re-signing anything. No table is rebuilt on SQLite: the columns
are added with defaults, which SQLite keeps (the appender always sets both).
"""

import sqlalchemy as sa
from alembic import op

revision = "e11d1auditchain"
down_revision = "e8o2occupancyidx"
branch_labels = None
depends_on = None


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    op.add_column("audit_events", sa.Column("chain", sa.SmallInteger(), nullable=False,
                                            server_default="1"))
    op.add_column("audit_events", sa.Column("position", sa.BigInteger(), nullable=False,
                                            server_default="0"))
    _with_updates_allowed(lambda: op.execute("UPDATE audit_events SET position = seq"))
    if postgres:
        op.alter_column("audit_events", "chain", server_default=None)
        op.alter_column("audit_events", "position", server_default=None)
    op.create_index("ix_audit_events_chain_position", "audit_events", ["chain", "position"],
                    unique=True)
    op.create_table(
        "audit_heads",
        sa.Column("chain", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("chains", sa.SmallInteger(), nullable=True),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("chain >= 1", name=op.f("ck_audit_heads_chain_number")),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_audit_heads")),
    )
    op.execute(
        "INSERT INTO audit_heads (chain, position, hash, chains, signature, updated_at) "
        "SELECT id, seq, hash, NULL, signature, updated_at FROM audit_head"
    )
    _refuse_delete("audit_heads")
    op.drop_table("audit_head")  # its trigger goes with it
    if postgres:
        op.execute("CREATE SEQUENCE audit_events_seq")
        op.execute("SELECT setval('audit_events_seq', COALESCE(MAX(seq), 0) + 1, false)"
                   " FROM audit_events")


def _with_updates_allowed(change):
    """Run `change` with audit_events' refusal of UPDATE lifted, and put the refusal back."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        change()
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    change()
    op.execute("CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
               "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END")


def _refuse_delete(table):
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION streha_refuse_change()")
    else:
        op.execute(f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def downgrade():
    # Back to one chain: only chain 1's head is kept, and rows of other chains will not verify
    # under the code of that revision.
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP SEQUENCE IF EXISTS audit_events_seq")
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.execute("INSERT INTO audit_head (id, seq, hash, signature, updated_at) "
               "SELECT chain, position, hash, signature, updated_at FROM audit_heads "
               "WHERE chain = 1 AND position > 0")
    _refuse_delete("audit_head")
    op.drop_table("audit_heads")
    op.drop_index("ix_audit_events_chain_position", table_name="audit_events")
    if postgres:
        op.drop_column("audit_events", "position")
        op.drop_column("audit_events", "chain")
    else:
        # SQLite 3.35+ drops a column in place (no rebuild, the triggers stay).
        op.execute("ALTER TABLE audit_events DROP COLUMN position")
        op.execute("ALTER TABLE audit_events DROP COLUMN chain")
