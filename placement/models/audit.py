"""The audit log: one row per event, chained by HMAC, and a signed anchor on its head.

Rows are only ever inserted (database triggers refuse UPDATE and DELETE). A row never carries
personal data: who (user id and role), what (an action name and a short code), on which object
(type and id), with what outcome, and in which request.
"""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from placement.extensions import db

OUTCOMES = ("ok", "denied", "failed")


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (
        sa.CheckConstraint(f"outcome IN ({', '.join(repr(o) for o in OUTCOMES)})", name="outcome"),
        sa.CheckConstraint("seq > 0", name="seq_positive"),
        sa.Index("ix_audit_events_action_at", "action", "at"),
        sa.Index("ix_audit_events_actor_id_at", "actor_id", "at"),
    )

    # Assigned by the appender (head + 1), never by the database: the chain is the order.
    seq: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
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
    """The signed position of the last row: a log cut short no longer matches it."""

    __tablename__ = "audit_head"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(sa.BigInteger)
    hash: Mapped[str] = mapped_column(sa.String(64))
    signature: Mapped[str] = mapped_column(sa.String(64))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime)
