"""Load a country's shelter network from its file: idempotent, and safe for occupied beds."""

import json
import math
import secrets
from importlib import resources

import sqlalchemy as sa

from placement import clock
from placement.crypto import open_sealed, seal
from placement.errors import Conflict, RuleViolation
from placement.extensions import db
from placement.models import Municipality, Organisation, Region, Room, Shelter
from placement.services import areas, audit, capacity, policy
from placement.services.network_file import NetworkError, parse_network

LOCATION_PURPOSE = "shelter.location"
SHELTER_FIELDS = (
    "name",
    "kind",
    "location_disclosure",
    "security_level",
    "gender_policy",
    "accepts_unaccompanied_minors",
    "accepts_accompanied_children",
    "max_accompanying_boy_age",
    "languages",
    "services",
    "wheelchair_accessible",
    "referral_phone",
)


def default_network():
    return json.loads(resources.files("placement.data").joinpath("kosovo.json").read_text())


def shelter_location(shelter):
    """The secret (lat, lon) of a shelter: read only to check it lies inside the shelter's public
    area (services/areas.py) and by the administrator's tooling; never for anything observable.
    """
    point = open_sealed(shelter.location_sealed, LOCATION_PURPOSE)
    return point["lat"], point["lon"]


def seal_location(lat, lon):
    return seal({"lat": lat, "lon": lon}, LOCATION_PURPOSE)


def load_network(document, base_dir=None):
    """Create or update regions, municipalities, organisations and shelters; report lines.

    `base_dir` is the network file's folder, where a `geometry` path is looked up.
    """
    network = parse_network(document)
    geometry = None
    if network.get("geometry"):
        try:
            geometry = areas.read_geometry(network["geometry"], base_dir)
        except ValueError as error:
            raise NetworkError(f"geometry: {error}") from None
    _upsert_geography(network)
    areas.save_settings(network, geometry)
    areas.store_boundaries(geometry["shapes"] if geometry else None)
    db.session.flush()
    for org in network["organisations"]:
        _upsert(Organisation, {"code": org["code"]}, {"name": org["name"]})
    report = []
    for index, entry in enumerate(network["shelters"]):
        try:
            report.append(_load_shelter(entry, network["generate_locations"]))
        except areas.AreaError as error:
            raise NetworkError(f"shelters[{index}].{error.message}") from None
        except Conflict as error:
            raise NetworkError(f"shelters[{index}] ({entry['id']}): {error.message}") from None
    db.session.flush()
    if "policy" in network:
        report.append(_load_policy(network["policy"]))
    return report


def _load_policy(settings):
    """The file's policy replaces the stored one; the same file again adds no version."""
    try:
        version = policy.change(settings, "network file", source="network_file", replace=True)
    except RuleViolation as error:
        raise NetworkError(f"policy.{error.message}") from None
    if version is None:
        return "policy: unchanged"
    return f"policy: version {version.id} ({len(version.changes)} values differ from before)"


def _upsert(model, key, values):
    row = db.session.scalar(sa.select(model).filter_by(**key))
    if row is None:
        row = model(**key, **values)
        db.session.add(row)
    else:
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    return row


def _upsert_geography(network):
    for region in network["regions"]:
        members = [m for m in network["municipalities"] if m["region"] == region["code"]]
        centre = {}
        if members:
            centre = {
                "lat": round(sum(m["lat"] for m in members) / len(members), 4),
                "lon": round(sum(m["lon"] for m in members) / len(members), 4),
            }
        values = {"name": region["name"], "names": region.get("names"), **centre}
        _upsert(Region, {"code": region["code"]}, values)
    db.session.flush()
    for m in network["municipalities"]:
        _upsert(
            Municipality,
            {"code": m["code"]},
            {
                "name": m["name"],
                "names": m.get("names"),
                "region_code": m["region"],
                "lat": m["lat"],
                "lon": m["lon"],
                "population": m["population"],
            },
        )
    db.session.flush()


def _generated_point(municipality_code):
    """A fictional point 0.5 to 3 km from the municipality's centroid, drawn fresh per install.

    Just under 3 km, so that the point stays inside a 3 km area after rounding.
    """
    centre = db.session.get(Municipality, municipality_code)
    draw = secrets.SystemRandom()
    distance_km, bearing = draw.uniform(0.5, 2.95), draw.uniform(0, 2 * math.pi)
    lat = centre.lat + (distance_km / 111.2) * math.cos(bearing)
    lon = centre.lon + (distance_km / (111.2 * math.cos(math.radians(centre.lat)))) * math.sin(
        bearing
    )
    return round(lat, 6), round(lon, 6)


def _load_shelter(entry, generate):
    shelter = db.session.scalar(sa.select(Shelter).where(Shelter.code == entry["id"]))
    created = shelter is None
    moment = clock.now()
    if created:
        point = (
            (entry["lat"], entry["lon"])
            if "lat" in entry
            else _generated_point(entry["municipality"])
        )
        shelter = Shelter(
            code=entry["id"],
            created_at=moment,
            changed_at=moment,
            location_sealed=seal_location(*point),
        )
        db.session.add(shelter)
    changed = _apply_fields(shelter, entry)
    if not created and "lat" in entry and shelter_location(shelter) != (entry["lat"], entry["lon"]):
        shelter.location_sealed = seal_location(entry["lat"], entry["lon"])
        changed = True
    changed |= _apply_area(shelter, entry)
    if changed and not created:
        shelter.changed_at = moment
    db.session.flush()
    if created or changed:
        audit.record("shelter.create" if created else "shelter.update", "shelter", shelter.id)
    room_changes = _sync_rooms(shelter, entry["rooms"])
    verb = "created" if created else "updated" if changed or room_changes else "unchanged"
    beds = sum(room["beds"] for room in entry["rooms"])
    return f"shelter {entry['id']}: {verb} ({len(entry['rooms'])} rooms, {beds} beds)"


def _apply_area(shelter, entry):
    """The entry's anchor and radius (or the defaults), the area they make, and the check that
    the exact point lies inside it; True when the public area changed."""
    before = (shelter.anchor_lat, shelter.anchor_lon, shelter.privacy_radius_km,
              shelter.area_municipalities)
    anchor, radius = entry.get("anchor"), entry.get("privacy_radius_km")
    shelter.anchor_set = anchor is not None
    if anchor is not None:
        shelter.anchor_lat, shelter.anchor_lon = anchor["lat"], anchor["lon"]
    shelter.privacy_radius_set = radius is not None
    if radius is not None:
        shelter.privacy_radius_km = radius
    areas.refresh_area(shelter)
    areas.check_point(shelter, *shelter_location(shelter))
    return before != (shelter.anchor_lat, shelter.anchor_lon, shelter.privacy_radius_km,
                      shelter.area_municipalities)


def _apply_fields(shelter, entry):
    values = {name: entry[name] for name in SHELTER_FIELDS}
    values["region_code"] = entry["region"]
    values["municipality_code"] = entry["municipality"]
    changed = False
    for name, value in values.items():
        if getattr(shelter, name, None) != value:
            setattr(shelter, name, value)
            changed = True
    return changed


def _sync_rooms(shelter, wanted):
    existing = {
        room.code: room
        for room in db.session.scalars(
            sa.select(Room).where(Room.shelter_id == shelter.id, Room.removed_at.is_(None))
        )
    }
    changes = 0
    for spec in wanted:
        room = existing.pop(spec["id"], None)
        if room is None:
            room = capacity.add_room(
                shelter, spec["id"], spec["kind"], spec["gender"], spec["beds"], actor=None
            )
            _seed_occupants(room, spec["occupants"])
            changes += 1
        else:
            changes += _update_room(room, spec)
    for room in existing.values():
        capacity.remove_room(room, actor=None)
        changes += 1
    return changes


def _seed_occupants(room, occupants):
    db.session.refresh(room)
    for bed, occupant in zip(room.beds, occupants, strict=False):
        capacity.admit_resident(bed, occupant, "resident at network load", actor=None)


def _update_room(room, spec):
    changes = 0
    if (room.kind, room.gender) != (spec["kind"], spec["gender"]):
        busy = [b.code for b in room.beds if b.status in ("held", "occupied")]
        if busy:
            raise Conflict(
                f"room {room.code} has occupied or held beds; its kind or gender cannot change"
            )
        room.kind, room.gender = spec["kind"], spec["gender"]
        changes += 1
    difference = spec["beds"] - len(room.beds)
    if difference > 0:
        capacity.add_beds(room, difference, actor=None, reason="network file")
    elif difference < 0:
        capacity.remove_free_beds(room, -difference, actor=None)
    if changes or difference:
        # A new kind or gender is a change of the shelter too: its version (the ETag, and
        # what the network cache checks) moves with it.
        capacity.touch_shelter(room.shelter_id, confirmed=False)
    if difference:
        db.session.refresh(room)
    return changes + (difference != 0)
