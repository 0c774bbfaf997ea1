"""Hourly occupancy snapshots: one row per shelter per hour, the history coordinators chart."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from placement.extensions import db


class OccupancySnapshot(db.Model):
    """A shelter's bed counts at the top of one hour. The unique (shelter, hour) pair is what
    makes the snapshot job idempotent however many scheduler processes or repeats run it."""

    __tablename__ = "occupancy_snapshots"
    __table_args__ = (
        sa.UniqueConstraint("shelter_id", "hour"),
        sa.CheckConstraint(
            "occupied >= 0 AND held >= 0 AND out_of_service >= 0"
            " AND occupied + held + out_of_service <= total",
            name="counts",
        ),
        sa.Index("ix_occupancy_snapshots_hour_region", "hour", "region_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shelter_id: Mapped[int] = mapped_column(
        sa.ForeignKey("shelters.id", ondelete="CASCADE")
    )
    # The shelter's region at the time: history stays right if a shelter is moved later.
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"))
    hour: Mapped[datetime] = mapped_column(sa.DateTime)
    taken_at: Mapped[datetime] = mapped_column(sa.DateTime)
    total: Mapped[int] = mapped_column()
    occupied: Mapped[int] = mapped_column()
    held: Mapped[int] = mapped_column()
    out_of_service: Mapped[int] = mapped_column()
