"""Occupancy over time: the hourly snapshot job, its retention, and GET /occupancy/history."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from placement import clock
from placement.errors import Forbidden, RuleViolation
from placement.extensions import db
from placement.models import Bed, OccupancySnapshot, Room, Shelter, user_shelters
from placement.services import access
from placement.services.occupancy import COUNT_READERS, _check_region

GRANULARITIES = ("hour", "day")
# The longest period one answer covers: 31 days of hours (744 points), 366 days of days.
MAX_PERIOD = {"hour": timedelta(days=31), "day": timedelta(days=366)}
DEFAULT_PERIOD = timedelta(days=7)


def top_of_hour(moment):
    return moment.replace(minute=0, second=0, microsecond=0)


def take_hourly_snapshots():
    """One row per shelter for the current hour, in one INSERT ... SELECT. A second run in the
    same hour (another process, a repeat) inserts nothing: the unique (shelter, hour) pair
    refuses it and ON CONFLICT DO NOTHING skips it. Returns how many rows were written."""
    moment = clock.now()
    hour = top_of_hour(moment)

    def count(status):
        return sa.func.coalesce(sa.func.sum(sa.case((Bed.status == status, 1), else_=0)), 0)

    counts = (
        sa.select(Shelter.id, Shelter.region_code, sa.literal(hour, sa.DateTime),
                  sa.literal(moment, sa.DateTime), sa.func.count(Bed.id), count("occupied"),
                  count("held"), count("out_of_service"))
        .outerjoin(Room, sa.and_(Room.shelter_id == Shelter.id, Room.removed_at.is_(None)))
        .outerjoin(Bed, sa.and_(Bed.room_id == Room.id, Bed.removed_at.is_(None)))
        # SQLite reads an ON after a join as the join's: a WHERE keeps the upsert unambiguous.
        .where(sa.true())
        .group_by(Shelter.id, Shelter.region_code)
    )
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(OccupancySnapshot).from_select(
        ["shelter_id", "region_code", "hour", "taken_at", "total", "occupied", "held",
         "out_of_service"], counts,
    ).on_conflict_do_nothing(index_elements=["shelter_id", "hour"])
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... SELECT ... ON CONFLICT.
    return len(db.session.execute(statement.returning(OccupancySnapshot.id)).all())


def purge_old_snapshots():
    """Delete snapshots older than OCCUPANCY_SNAPSHOT_RETENTION; returns how many."""
    cutoff = clock.now() - current_app.config["OCCUPANCY_SNAPSHOT_RETENTION"]
    return db.session.execute(
        sa.delete(OccupancySnapshot).where(OccupancySnapshot.hour < cutoff)
    ).rowcount


def resolve_period(start, end, longest, default=DEFAULT_PERIOD):
    """(start, end) with defaults (the last `default` up to now), checked: start before end and
    no longer than `longest`. A fault raises RuleViolation (422) naming the field."""
    end = end or clock.now()
    start = start or end - default
    if start >= end:
        raise RuleViolation("from: must be before to", {"from": ["must be before to"]})
    if end - start > longest:
        raise RuleViolation(f"to: the period may be at most {longest.days} days",
                            {"to": [f"at most {longest.days} days after from"]})
    return start, end


def _scope(user):
    """Snapshots the caller may read. Coordinators by the region a snapshot was taken in."""
    if user.role == "regional_coordinator":
        return OccupancySnapshot.region_code == user.region_code
    if user.role == "shelter_manager":
        return OccupancySnapshot.shelter_id.in_(
            sa.select(user_shelters.c.shelter_id).where(user_shelters.c.user_id == user.id)
        )
    return sa.true()


def history(user, start=None, end=None, region=None, shelter=None, granularity="hour"):
    """Occupancy rate, available and held beds per hour or per day, in the caller's scope."""
    if user.role not in COUNT_READERS:
        raise Forbidden("case managers see free beds now, not occupancy history")
    start, end = resolve_period(start, end, MAX_PERIOD[granularity])
    _check_region(user, region)
    query = (
        sa.select(OccupancySnapshot.hour, sa.func.count(), sa.func.sum(OccupancySnapshot.total),
                  sa.func.sum(OccupancySnapshot.occupied), sa.func.sum(OccupancySnapshot.held),
                  sa.func.sum(OccupancySnapshot.out_of_service))
        .where(_scope(user), OccupancySnapshot.hour >= start, OccupancySnapshot.hour < end)
        .group_by(OccupancySnapshot.hour).order_by(OccupancySnapshot.hour)
    )
    if region is not None:
        query = query.where(OccupancySnapshot.region_code == region)
    if shelter is not None:
        access.visible_shelter(user, shelter)
        query = query.where(OccupancySnapshot.shelter_id == shelter)
    hours = [_point(hour, int(n), int(t), int(o), int(h), int(x))
             for hour, n, t, o, h, x in db.session.execute(query)]
    points = hours if granularity == "hour" else _by_day(hours)
    return {"from": start, "to": end, "granularity": granularity, "region": region,
            "shelter": shelter, "points": points}


def _rate(occupied, in_service):
    return round(occupied / in_service, 4) if in_service else None


def _point(at, shelters, total, occupied, held, out):
    in_service = total - out
    return {"at": at, "shelters": shelters, "total": total, "in_service": in_service,
            "occupied": occupied, "held": held, "out_of_service": out,
            "available": in_service - occupied - held, "occupancy_rate": _rate(occupied,
                                                                                in_service)}


def _by_day(hours):
    """Each day's mean of its hourly figures (hours without a snapshot are not invented), its
    peak occupied, and how many hours it had."""
    days = {}
    for point in hours:
        days.setdefault(point["at"].replace(hour=0), []).append(point)
    result = []
    for day, points in days.items():
        n = len(points)
        mean = {key: round(sum(p[key] for p in points) / n, 1)
                for key in ("shelters", "total", "in_service", "occupied", "held",
                            "out_of_service", "available")}
        result.append({"at": day, **mean, "occupancy_rate": _rate(mean["occupied"],
                                                                  mean["in_service"]),
                       "peak_occupied": max(p["occupied"] for p in points), "hours": n})
    return result
