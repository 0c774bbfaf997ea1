"""Regions, municipalities (with public centroids and boundaries), the network's public map
settings, and the organisations case managers work for."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from placement.extensions import db


class Region(db.Model):
    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    # {"sq": ..., "sr_Latn": ...}: the name in other languages, when the network file gives them.
    names: Mapped[dict | None] = mapped_column(sa.JSON)
    lat: Mapped[float | None] = mapped_column(sa.Float)
    lon: Mapped[float | None] = mapped_column(sa.Float)

    municipalities = relationship(
        "Municipality", back_populates="region", order_by="Municipality.code"
    )


class Municipality(db.Model):
    __tablename__ = "municipalities"
    __table_args__ = (
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        sa.CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
    )

    code: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    names: Mapped[dict | None] = mapped_column(sa.JSON)
    region_code: Mapped[str] = mapped_column(sa.ForeignKey("regions.code"), index=True)
    lat: Mapped[float] = mapped_column(sa.Float)
    lon: Mapped[float] = mapped_column(sa.Float)
    # Public polygons: [[[ [lon, lat], ... ] rings ] polygons], 5 decimals; null when the
    # network ships none (privacy areas then use the conservative bound of services/areas.py).
    # Deferred: only public areas read them (services/areas.py undefers), and decoding 38 of
    # them cost every page that names a municipality tens of milliseconds.
    boundary: Mapped[list | None] = mapped_column(sa.JSON, deferred=True)
    # Residents, from the network file when it carries them (capacity per 10,000 people). The
    # file's schema bounds it; no CHECK: adding one on SQLite rebuilds a referenced table.
    population: Mapped[int | None] = mapped_column()

    region = relationship("Region", back_populates="municipalities")


class NetworkSettings(db.Model):
    """One row: the network's privacy-radius defaults and where its map geometry comes from."""

    __tablename__ = "network_settings"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.CheckConstraint("privacy_radius_municipality_km > 0", name="municipality_radius"),
        sa.CheckConstraint("privacy_radius_region_km > 0", name="region_radius"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    privacy_radius_municipality_km: Mapped[float] = mapped_column(sa.Float)
    privacy_radius_region_km: Mapped[float] = mapped_column(sa.Float)
    # Without polygons: the largest distance from a municipality's centroid to its boundary.
    municipality_reach_km: Mapped[float | None] = mapped_column(sa.Float)
    geometry_source: Mapped[str | None] = mapped_column(sa.String(300))
    geometry_attribution: Mapped[str | None] = mapped_column(sa.Text)


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
