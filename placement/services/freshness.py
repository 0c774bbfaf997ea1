"""Shelters whose counts nobody has confirmed for too long: tell their managers, once each time."""

from datetime import timedelta

import sqlalchemy as sa

from placement import clock
from placement.extensions import db
from placement.models import Shelter, ShelterStaleFlag
from placement.services import capacity, notifications


def flag_stale_shelters():
    """Notify the managers of each shelter that turned stale since its last confirmation.

    A flag remembers the confirmed_at it was raised for: the same staleness is told once, and a
    shelter confirmed again and then left stale again is told again. Returns how many were told.
    """
    moment = clock.now()
    threshold = moment - timedelta(hours=capacity.STALE_HOURS)
    rows = db.session.execute(
        sa.select(Shelter, ShelterStaleFlag)
        .outerjoin(ShelterStaleFlag, ShelterStaleFlag.shelter_id == Shelter.id)
        .where(sa.or_(Shelter.confirmed_at.is_(None), Shelter.confirmed_at < threshold))
        .order_by(Shelter.id)
    ).all()
    told = 0
    for shelter, flag in rows:
        if capacity.freshness(shelter, moment) != "stale":
            continue
        if flag is not None and flag.confirmed_at == shelter.confirmed_at:
            continue
        payload = {"shelter_id": shelter.id, "freshness": "stale"}
        if shelter.confirmed_at is not None:
            payload["confirmed_at"] = shelter.confirmed_at
        notifications.notify_shelter_managers(shelter.id, "shelter.stale", payload)
        if flag is None:
            flag = ShelterStaleFlag(shelter_id=shelter.id)
            db.session.add(flag)
        flag.confirmed_at, flag.flagged_at = shelter.confirmed_at, moment
        told += 1
    db.session.flush()
    return told
