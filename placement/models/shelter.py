"""Shelters, their rooms and beds, and the append-only history of every bed."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from optimizer.vocabulary import (
    BED_STATUSES,
    GENDER_POLICIES,
    ROOM_GENDERS,
    ROOM_KINDS,
    SECURITY_LEVELS,
    SHELTER_KINDS,
)
from optimizer.vocabulary import GENDERS as PERSON_GENDERS
from placement.extensions import db

# The shared words come from the optimizer's vocabulary (one definition for both); only the
# service's own words are defined here.
DISCLOSURES = ("municipality", "region")
__all__ = ["BED_STATUSES", "DISCLOSURES", "GENDER_POLICIES", "PERSON_GENDERS", "ROOM_GENDERS",
           "ROOM_KINDS", "SECURITY_LEVELS", "SHELTER_KINDS", "Bed", "BedEvent", "Room", "Shelter"]


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Shelter(db.Model):
    __tablename__ = "shelters"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", SHELTER_KINDS), name="kind"),
        sa.CheckConstraint(_in("security_level", SECURITY_LEVELS), name="security_level"),
        sa.CheckConstraint(_in("gender_policy", GENDER_POLICIES), name="gender_policy"),
        sa.CheckConstraint(_in("location_disclosure", DISCLOSURES), name="location_disclosure"),
        sa.CheckConstraint(
            "max_accompanying_boy_age IS NULL OR max_accompanying_boy_age BETWEEN 0 AND 17",
            name="boy_age",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(10))
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    municipality_code: Mapped[str] = mapped_column(sa.ForeignKey("municipalities.code"))
    # AES-GCM sealed {"lat", "lon"}: never serialised, never logged.
    location_sealed: Mapped[str] = mapped_column(sa.Text)
    location_disclosure: Mapped[str] = mapped_column(sa.String(20), default="municipality")
    # The public area (SPEC §2): everything users observe is computed from it, never from the
    # sealed point, which must lie within privacy_radius_km of the anchor. The anchor is the
    # disclosed centroid unless anchor_set; the radius the network's default for the disclosure
    # level unless privacy_radius_set. area_municipalities: those the area's disk touches.
    anchor_lat: Mapped[float | None] = mapped_column(sa.Float)
    anchor_lon: Mapped[float | None] = mapped_column(sa.Float)
    anchor_set: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    privacy_radius_km: Mapped[float | None] = mapped_column(sa.Float)
    privacy_radius_set: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    area_municipalities: Mapped[list | None] = mapped_column(sa.JSON)
    security_level: Mapped[str] = mapped_column(sa.String(10), default="standard")
    gender_policy: Mapped[str] = mapped_column(sa.String(10))
    accepts_unaccompanied_minors: Mapped[bool] = mapped_column(default=False)
    accepts_accompanied_children: Mapped[bool] = mapped_column(default=False)
    max_accompanying_boy_age: Mapped[int | None] = mapped_column()
    languages: Mapped[list] = mapped_column(sa.JSON, default=list)
    services: Mapped[list] = mapped_column(sa.JSON, default=list)
    wheelchair_accessible: Mapped[bool] = mapped_column(default=False)
    # A phone line for referrals (to confirm a bed by phone): never an address.
    referral_phone: Mapped[str | None] = mapped_column(sa.String(40))
    # Freshness runs from confirmed_at: a manager's "still current" or capacity change.
    confirmed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime)
    version: Mapped[int] = mapped_column(default=1)

    region = relationship("Region")
    municipality = relationship("Municipality")
    rooms = relationship(
        "Room",
        back_populates="shelter",
        order_by="Room.code",
        primaryjoin="and_(Room.shelter_id == Shelter.id, Room.removed_at.is_(None))",
        viewonly=True,
    )

    __mapper_args__ = {"version_id_col": version}


class Room(db.Model):
    __tablename__ = "rooms"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", ROOM_KINDS), name="kind"),
        sa.CheckConstraint(_in("gender", ROOM_GENDERS), name="gender"),
        sa.Index(
            "uq_rooms_active_code",
            "shelter_id",
            "code",
            unique=True,
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shelter_id: Mapped[int] = mapped_column(sa.ForeignKey("shelters.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    kind: Mapped[str] = mapped_column(sa.String(10))
    gender: Mapped[str] = mapped_column(sa.String(10))
    removed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    shelter = relationship("Shelter", back_populates="rooms")
    beds = relationship(
        "Bed",
        back_populates="room",
        order_by="Bed.code",
        primaryjoin="and_(Bed.room_id == Room.id, Bed.removed_at.is_(None))",
        viewonly=True,
    )


class Bed(db.Model):
    __tablename__ = "beds"
    __table_args__ = (
        sa.CheckConstraint(_in("status", BED_STATUSES), name="status"),
        sa.CheckConstraint(
            "(status = 'occupied') = (occupant_gender IS NOT NULL AND occupant_age IS NOT NULL"
            " AND occupant_group IS NOT NULL)",
            name="occupant_iff_occupied",
        ),
        sa.CheckConstraint(
            f"occupant_gender IS NULL OR {_in('occupant_gender', PERSON_GENDERS)}",
            name="occupant_gender",
        ),
        sa.CheckConstraint("occupant_age IS NULL OR occupant_age BETWEEN 0 AND 120", name="age"),
        sa.CheckConstraint("(status = 'held') = (hold_id IS NOT NULL)", name="held_iff_hold"),
        sa.CheckConstraint(
            "placement_id IS NULL OR status = 'occupied'", name="placement_only_when_occupied"
        ),
        sa.CheckConstraint(
            "removed_at IS NULL OR status IN ('available', 'out_of_service')",
            name="removed_only_when_free",
        ),
        sa.Index(
            "uq_beds_active_code",
            "room_id",
            "code",
            unique=True,
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        ),
        # Occupancy counts a page's live beds by room and state from this index alone.
        sa.Index(
            "ix_beds_live_room_status",
            "room_id",
            "status",
            sqlite_where=sa.text("removed_at IS NULL"),
            postgresql_where=sa.text("removed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(sa.ForeignKey("rooms.id"), index=True)
    code: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(20), default="available")
    status_reason: Mapped[str | None] = mapped_column(sa.String(200))
    occupant_gender: Mapped[str | None] = mapped_column(sa.String(10))
    occupant_age: Mapped[int | None] = mapped_column()
    occupant_group: Mapped[str | None] = mapped_column(sa.String(60))
    removed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # The claim behind a held bed, and the placement behind an occupied one (none for walk-ins).
    hold_id: Mapped[int | None] = mapped_column(sa.ForeignKey("holds.id"), index=True)
    placement_id: Mapped[int | None] = mapped_column(sa.ForeignKey("placements.id"), index=True)

    room = relationship("Room", back_populates="beds")


class BedEvent(db.Model):
    """One change of one bed; rows are only ever inserted (a database trigger refuses the rest)."""

    __tablename__ = "bed_events"
    __table_args__ = (
        sa.CheckConstraint(
            f"from_status IS NULL OR {_in('from_status', BED_STATUSES)}", name="from_status"
        ),
        sa.CheckConstraint(_in("to_status", (*BED_STATUSES, "removed")), name="to_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bed_id: Mapped[int] = mapped_column(sa.ForeignKey("beds.id"), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    from_status: Mapped[str | None] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    reason: Mapped[str | None] = mapped_column(sa.String(200))
    occupant_gender: Mapped[str | None] = mapped_column(sa.String(10))
    occupant_age: Mapped[int | None] = mapped_column()
    occupant_group: Mapped[str | None] = mapped_column(sa.String(60))
