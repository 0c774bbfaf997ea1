"""The notification outbox: what each user should learn, and its delivery to a webhook."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from placement.extensions import db


class Notification(db.Model):
    """One message for one user; the payload holds ids and codes only, never personal data."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    read_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    delivery = relationship("NotificationDelivery", back_populates="notification", uselist=False)


class NotificationDelivery(db.Model):
    """The webhook POST of one notification: retried with backoff until delivered or given up."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        sa.CheckConstraint("attempts >= 0", name="attempts"),
        sa.Index("ix_notification_deliveries_due", "delivered_at", "gave_up_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        sa.ForeignKey("notifications.id", ondelete="CASCADE"), unique=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(sa.DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    gave_up_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # "http 200", "http 503", "timeout", "unreachable": never a response body or an address.
    last_status: Mapped[str | None] = mapped_column(sa.String(40))

    notification = relationship("Notification", back_populates="delivery")


class ShelterStaleFlag(db.Model):
    """The confirmation a stale-shelter notice was sent for, so each staleness is told once."""

    __tablename__ = "shelter_stale_flags"

    shelter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shelters.id", ondelete="CASCADE"), primary_key=True
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    flagged_at: Mapped[datetime] = mapped_column(sa.DateTime)
