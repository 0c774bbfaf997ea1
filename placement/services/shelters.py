"""Shelters as each role may see them, and their creation and change by the administrator.

No view ever carries a shelter's coordinates. A shelter's municipality is shown to those outside
it only when its location_disclosure allows it; maps use the public area's anchor instead.
"""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from placement import clock
from placement.errors import Conflict, RuleViolation
from placement.extensions import db
from placement.models import Municipality, Room, Shelter
from placement.services import areas, audit, capacity, places, preconditions
from placement.services.access import HIDDEN_MUNICIPALITY_READERS, shelter_filter
from placement.services.network import (
    SHELTER_FIELDS,
    _load_shelter,
    seal_location,
)
from placement.services.paging import page

POLICY_FIELDS = (
    "security_level",
    "gender_policy",
    "accepts_unaccompanied_minors",
    "accepts_accompanied_children",
    "max_accompanying_boy_age",
    "languages",
    "services",
    "wheelchair_accessible",
)


def etag(shelter):
    return f'"shelter-{shelter.id}-v{shelter.version}"'


def check_if_match(shelter, if_match, required):
    """Optimistic concurrency: the client's ETag must be the shelter's current one."""
    preconditions.check_if_match(etag(shelter), if_match, required, "this shelter")


def public_position(shelter):
    """Where a map may place the shelter: its public area's anchor (by default the centroid of
    its municipality or region, as location_disclosure says)."""
    level = shelter.location_disclosure
    code = shelter.municipality_code if level == "municipality" else shelter.region_code
    return {"level": level, "code": code, "lat": shelter.anchor_lat, "lon": shelter.anchor_lon}


def shelter_view(user, shelter, by_kind, moment=None):
    """The dict a role may see of one shelter; `by_kind` from capacity.counts_by_room_kind."""
    view = {
        "id": shelter.id,
        "code": shelter.code,
        "name": shelter.name,
        "kind": shelter.kind,
        "region": shelter.region_code,
        "freshness": capacity.freshness(shelter, moment),
        "position": public_position(shelter),
        "area": areas.public_area(shelter),
        "referral_phone": shelter.referral_phone,
        **{name: getattr(shelter, name) for name in POLICY_FIELDS},
    }
    if (shelter.location_disclosure == "municipality"
            or user.role in HIDDEN_MUNICIPALITY_READERS):
        view["municipality"] = shelter.municipality_code
    if user.role == "case_manager":
        view["free_beds"] = {kind: c.available for kind, c in sorted(by_kind.items())}
        return view
    view.update(
        location_disclosure=shelter.location_disclosure,
        confirmed_at=shelter.confirmed_at,
        changed_at=shelter.changed_at,
        counts=capacity.shelter_totals(by_kind).as_dict(),
        counts_by_room_kind={kind: c.as_dict() for kind, c in sorted(by_kind.items())},
    )
    return view


def list_shelters(user, limit, offset, region=None, kind=None):
    """(a page of the shelters in the caller's scope as the caller may see them, in id order;
    how many there are in all). Three queries whatever the network's size: the count, the page,
    and the page's bed counts. An unknown region is refused (422 naming it); a known one outside
    the caller's scope simply has no shelters for them."""
    query = sa.select(Shelter).where(shelter_filter(user)).order_by(Shelter.id)
    if region:
        places.check_region(region)
        query = query.where(Shelter.region_code == region)
    if kind:
        query = query.where(Shelter.kind == kind)
    shelters, total = page(query, limit, offset)
    counts = capacity.counts_by_room_kind([s.id for s in shelters])
    moment = clock.now()
    return [shelter_view(user, s, counts[s.id], moment) for s in shelters], total


def rooms_with_beds(shelter):
    """The shelter's rooms in code order, each with its beds: two queries however many rooms."""
    return list(db.session.scalars(
        sa.select(Room).where(Room.shelter_id == shelter.id, Room.removed_at.is_(None))
        .order_by(Room.code).options(selectinload(Room.beds))))


def view_one(user, shelter):
    return shelter_view(user, shelter, capacity.counts_by_room_kind([shelter.id])[shelter.id])


def create_shelter(entry):
    """Create a shelter (with rooms) from a validated §5 shelter object plus name and place."""
    if db.session.scalar(sa.select(Shelter.id).where(Shelter.code == entry["id"])):
        raise Conflict(f"id: a shelter {entry['id']!r} exists", {"id": ["taken"]})
    _check_place(entry["region"], entry["municipality"])
    _load_shelter(entry, generate=False)
    return db.session.scalar(sa.select(Shelter).where(Shelter.code == entry["id"]))


def _check_place(region, municipality):
    found = db.session.get(Municipality, municipality)
    if found is None:
        raise RuleViolation(f"municipality: {municipality!r} is not a municipality")
    if found.region_code != region:
        raise RuleViolation(f"region: {municipality!r} lies in region {found.region_code!r}")


def _change_area(shelter, changes):
    """The administrator's anchor and radius (null: back to the defaults); the area follows any
    change of place or disclosure, and the exact point must still lie inside it."""
    before = (shelter.anchor_lat, shelter.anchor_lon, shelter.privacy_radius_km)
    if "anchor" in changes:
        anchor = changes["anchor"]
        shelter.anchor_set = anchor is not None
        if anchor is not None:
            shelter.anchor_lat, shelter.anchor_lon = anchor["lat"], anchor["lon"]
    if "privacy_radius_km" in changes:
        radius = changes["privacy_radius_km"]
        shelter.privacy_radius_set = radius is not None
        if radius is not None:
            shelter.privacy_radius_km = radius
    areas.refresh_area(shelter)
    moved = (shelter.anchor_lat, shelter.anchor_lon, shelter.privacy_radius_km) != before
    if "lat" in changes:
        areas.check_point(shelter, changes["lat"], changes["lon"])
    elif moved:
        # Checking the stored point against a new area would answer "is the secret point within
        # R of this anchor?", and enough such answers find it: a new area takes a new point, so
        # acceptance depends only on what the administrator sends.
        raise areas.AreaError(
            "lat: a change of the shelter's public area (anchor, privacy radius, municipality,"
            " region or disclosure) needs its exact location (lat, lon) sent again",
            {"lat": ["needed with a new public area"], "lon": ["needed with a new public area"]})


def update_shelter(shelter, changes):
    """Apply an administrator's changes; coordinates are re-sealed, never echoed."""
    region = changes.get("region", shelter.region_code)
    municipality = changes.get("municipality", shelter.municipality_code)
    _check_place(region, municipality)
    shelter.region_code, shelter.municipality_code = region, municipality
    for name in SHELTER_FIELDS:
        if name in changes:
            setattr(shelter, name, changes[name])
    if "lat" in changes:
        shelter.location_sealed = seal_location(changes["lat"], changes["lon"])
    _change_area(shelter, changes)
    if db.session.is_modified(shelter):
        shelter.changed_at = clock.now()
        audit.record("shelter.update", "shelter", shelter.id)
    db.session.flush()
    return shelter
