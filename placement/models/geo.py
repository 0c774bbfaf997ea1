"""Regions, municipalities (with public centroids) and the organisations case managers work for."""

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
    # Residents, from the network file when it carries them (capacity per 10,000 people). The
    # file's schema bounds it; no CHECK: adding one on SQLite rebuilds a referenced table.
    population: Mapped[int | None] = mapped_column()

    region = relationship("Region", back_populates="municipalities")


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(60), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
