"""Scheduled jobs: the lock rows that keep a job from running twice, and the record of runs."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from placement.extensions import db

RUN_OUTCOMES = ("ok", "failed", "skipped")


class JobLock(db.Model):
    """A lease on one job name (SQLite; PostgreSQL uses advisory locks). Expires by itself."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    holder: Mapped[str | None] = mapped_column(sa.String(80))
    locked_until: Mapped[datetime | None] = mapped_column(sa.DateTime)


class JobRun(db.Model):
    __tablename__ = "job_runs"
    __table_args__ = (
        sa.CheckConstraint(
            f"outcome IN ({', '.join(repr(o) for o in RUN_OUTCOMES)})", name="outcome"
        ),
        sa.Index("ix_job_runs_name_started_at", "name", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    holder: Mapped[str] = mapped_column(sa.String(80))
    started_at: Mapped[datetime] = mapped_column(sa.DateTime)
    finished_at: Mapped[datetime] = mapped_column(sa.DateTime)
    outcome: Mapped[str] = mapped_column(sa.String(10))
    # Counts and error class names only ("delivered 3, retry 1"; "OperationalError").
    summary: Mapped[str | None] = mapped_column(sa.String(200))
