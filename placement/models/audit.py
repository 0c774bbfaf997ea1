"""The audit log: one row per event, in HMAC-chained chains, each chain with a signed head.

Rows are only ever inserted (database triggers refuse UPDATE and DELETE). A row never carries
personal data: who (user id and role), what (an action name and a short code), on which object
(type and id), with what outcome, and in which request.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from placement.extensions import db

OUTCOMES = ("ok", "denied", "failed")
# PostgreSQL numbers the rows of every chain from one sequence (SQLite: max + 1 under its write
# lock), so seq orders the whole log while each chain has its own positions.
AUDIT_SEQ = sa.Sequence("audit_events_seq", metadata=db.metadata)


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.CheckConstraint(f"outcome IN ({', '.join(repr(o) for o in OUTCOMES)})", name="outcome"),
        sa.CheckConstraint("seq > 0", name="seq_positive"),
        sa.Index("ix_audit_events_action_at", "action", "at"),
        sa.Index("ix_audit_events_actor_id_at", "actor_id", "at"),
        sa.Index("ix_audit_events_chain_position", "chain", "position", unique=True),
    )

    # Assigned by the appender, never by a column default: the HMAC covers it.
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    # The chain the row was appended to, and its place in it (1, 2, ... without gaps).
    chain: Mapped[int] = mapped_column(sa.SmallInteger)
    position: Mapped[int] = mapped_column(sa.BigInteger)
    at: Mapped[datetime] = mapped_column(sa.DateTime, index=True)
    # No foreign key: the log must outlive and never block changes to the rows it talks about.
    actor_id: Mapped[int | None] = mapped_column()
    actor_role: Mapped[str | None] = mapped_column(sa.String(30))
    action: Mapped[str] = mapped_column(sa.String(60))
    object_type: Mapped[str | None] = mapped_column(sa.String(60))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    outcome: Mapped[str] = mapped_column(sa.String(10))
    # A short code (a status, a reason code, a count), never free text.
    detail: Mapped[str | None] = mapped_column(sa.String(60))
    request_id: Mapped[str | None] = mapped_column(sa.String(64))
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class AuditHead(db.Model):
    """The signed position of a chain's last row, one row per chain: a chain cut short no
    longer matches it. Moved by every append; never deleted (a trigger refuses it)."""

    __tablename__ = "audit_heads"
    __table_args__ = (sa.CheckConstraint("chain >= 1", name="chain_number"),)

    chain: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    position: Mapped[int] = mapped_column(sa.BigInteger)
    hash: Mapped[str] = mapped_column(sa.String(64))
    # How many chains the log has, as signed by this head: a chain deleted whole (rows and head)
    # is missed by the others. None on a head signed before the log had chains.
    chains: Mapped[int | None] = mapped_column(sa.SmallInteger)
    signature: Mapped[str] = mapped_column(sa.String(64))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime)
