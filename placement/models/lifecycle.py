"""What the scheduled lifecycle jobs keep: reminders already sent, and counts that outlive cases."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from placement.extensions import db
from placement.models.shelter import _in

REMINDER_REASONS = ("reflection_period", "planned_departure")


class StayReminder(db.Model):
    """One reminder sent about one stay for one reason: the row makes the job send it once."""

    __tablename__ = "stay_reminders"
    __table_args__ = (
        sa.UniqueConstraint("placement_id", "reason"),
        sa.CheckConstraint(_in("reason", REMINDER_REASONS), name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(sa.ForeignKey("placements.id"))
    reason: Mapped[str] = mapped_column(sa.String(20))
    sent_at: Mapped[datetime] = mapped_column(sa.DateTime)


class NeedCount(db.Model):
    """How many requests of a month, place, category and urgency ended one way: what is left of
    purged cases for the unmet-need figures. No case, request or person is named here."""

    __tablename__ = "need_counts"
    __table_args__ = (
        sa.UniqueConstraint("month", "municipality", "category", "urgency", "outcome"),
        sa.CheckConstraint("count >= 0", name="count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The month the request was made, "2026-11".
    month: Mapped[str] = mapped_column(sa.String(7))
    municipality: Mapped[str] = mapped_column(sa.ForeignKey("municipalities.code"))
    category: Mapped[str] = mapped_column(sa.String(10))
    urgency: Mapped[str] = mapped_column(sa.String(12))
    # placed or not_placed (one per request); declined:<reason code>, hold_expired, no_show
    # (one per declined or expired hold and per no-show).
    outcome: Mapped[str] = mapped_column(sa.String(40))
    count: Mapped[int] = mapped_column(default=0)
