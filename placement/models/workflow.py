"""Placement requests, holds on beds, placements, their events, and optimizer runs."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from optimizer.vocabulary import URGENCIES
from placement.extensions import db
from placement.models.shelter import _in

REQUEST_STATUSES = ("open", "held", "accepted", "placed", "ended")
HOLD_STATUSES = ("active", "accepted", "declined", "cancelled", "expired", "released", "used")
DECLINE_REASONS = ("no_capacity", "safety_concern", "needs_not_met", "other")
PLACEMENT_STATUSES = ("accepted", "placed", "no_show", "discharged", "transferred", "cancelled")
DISCHARGE_REASONS = (
    "planned_departure",
    "returned_home",
    "independent_living",
    "left_voluntarily",
    "rules_breach",
    "safety",
    "repatriated",
    "other",
)
# A run is queued by the API, then solved by the worker (placement/worker.py).
RUN_STATUSES = ("queued", "running", "succeeded", "failed")


class PlacementRequest(db.Model):
    __tablename__ = "placement_requests"
    __table_args__ = (
        sa.CheckConstraint(_in("urgency", URGENCIES), name="urgency"),
        sa.CheckConstraint(_in("status", REQUEST_STATUSES), name="status"),
        sa.CheckConstraint(
            "override_rules IS NULL OR override_justification_sealed IS NOT NULL",
            name="override_justified",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    urgency: Mapped[str] = mapped_column(sa.String(12))
    current_municipality: Mapped[str] = mapped_column(sa.ForeignKey("municipalities.code"))
    status: Mapped[str] = mapped_column(sa.String(12), default="open", index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime)
    transferred_from_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("placements.id", use_alter=True)
    )
    # A coordinator's override of hard rules for this request (audited, shown on placements).
    override_rules: Mapped[list | None] = mapped_column(sa.JSON)
    # Free text, so sealed at rest (placement.crypto), like case notes.
    override_justification_sealed: Mapped[str | None] = mapped_column(sa.Text)
    override_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ended_reason: Mapped[str | None] = mapped_column(sa.String(200))

    case = relationship("Case")
    holds = relationship("Hold", order_by="Hold.id", back_populates="request")


class Hold(db.Model):
    __tablename__ = "holds"
    __table_args__ = (
        sa.CheckConstraint(_in("status", HOLD_STATUSES), name="status"),
        sa.CheckConstraint(
            f"decline_reason IS NULL OR {_in('decline_reason', DECLINE_REASONS)}",
            name="decline_reason",
        ),
        sa.CheckConstraint(
            "status <> 'declined' OR decline_reason IS NOT NULL", name="declined_with_reason"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("placement_requests.id"), index=True)
    shelter_id: Mapped[int] = mapped_column(sa.ForeignKey("shelters.id"), index=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id"))
    status: Mapped[str] = mapped_column(sa.String(12), default="active", index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime)
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decline_reason: Mapped[str | None] = mapped_column(sa.String(20))
    decline_note_sealed: Mapped[str | None] = mapped_column(sa.Text)

    request = relationship("PlacementRequest", back_populates="holds")
    shelter = relationship("Shelter")
    room = relationship("Room")


class Placement(db.Model):
    """An accepted hold on its way to, and then, a stay."""

    __tablename__ = "placements"
    __table_args__ = (
        sa.CheckConstraint(_in("status", PLACEMENT_STATUSES), name="status"),
        sa.Index(
            "uq_placements_one_live_per_request",
            "request_id",
            unique=True,
            sqlite_where=sa.text("status IN ('accepted', 'placed')"),
            postgresql_where=sa.text("status IN ('accepted', 'placed')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        sa.ForeignKey("placement_requests.id"), index=True
    )
    hold_id: Mapped[int] = mapped_column(sa.ForeignKey("holds.id"), unique=True)
    shelter_id: Mapped[int] = mapped_column(sa.ForeignKey("shelters.id"), index=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id"))
    status: Mapped[str] = mapped_column(sa.String(12), default="accepted")
    accepted_at: Mapped[datetime] = mapped_column(sa.DateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    end_reason: Mapped[str | None] = mapped_column(sa.String(30))
    planned_departure: Mapped[datetime | None] = mapped_column(sa.DateTime)

    request = relationship("PlacementRequest", foreign_keys=[request_id])
    hold = relationship("Hold")
    shelter = relationship("Shelter")
    room = relationship("Room")


class RequestEvent(db.Model):
    """One transition of a request, a hold or a placement: append-only, no personal data."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("placement_requests.id"), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    from_status: Mapped[str | None] = mapped_column(sa.String(12))
    to_status: Mapped[str | None] = mapped_column(sa.String(12))
    hold_id: Mapped[int | None] = mapped_column(sa.ForeignKey("holds.id"))
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placements.id"))
    detail: Mapped[dict | None] = mapped_column(sa.JSON)


class OptimizerRun(db.Model):
    __tablename__ = "optimizer_runs"
    __table_args__ = (sa.CheckConstraint(_in("status", RUN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str | None] = mapped_column(sa.ForeignKey("regions.code"))
    # None for the scheduler's own runs.
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    auto_hold: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    # When the run was asked for (queued); the solve's own time is in summary.wall_time_s.
    started_at: Mapped[datetime] = mapped_column(sa.DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # Seconds for the whole run in the worker: reading the queue, the model build and the solve.
    time_limit: Mapped[float | None] = mapped_column(sa.Float)
    summary: Mapped[dict | None] = mapped_column(sa.JSON)
    # Why a failed run failed: an error class or the worker's word, never data.
    failure: Mapped[str | None] = mapped_column(sa.String(200))

    proposals = relationship("Proposal", order_by="Proposal.request_id", back_populates="run")


class Proposal(db.Model):
    """The optimizer's answer for one request in one run: a shelter and room, or why none."""

    __tablename__ = "proposals"
    __table_args__ = (sa.UniqueConstraint("run_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("optimizer_runs.id"), index=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("placement_requests.id"), index=True)
    shelter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("shelters.id"))
    room_id: Mapped[int | None] = mapped_column(sa.ForeignKey("rooms.id"))
    hold_id: Mapped[int | None] = mapped_column(sa.ForeignKey("holds.id"))
    explanation: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)

    run = relationship("OptimizerRun", back_populates="proposals")


class IdempotencyKey(db.Model):
    """A POST's Idempotency-Key: claimed in the POST's own transaction, then its answer kept."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(sa.String(100))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    status_code: Mapped[int | None] = mapped_column()
    body: Mapped[str | None] = mapped_column(sa.Text)
    # The case whose data the kept answer carries: closing the case blanks the answer.
    case_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
