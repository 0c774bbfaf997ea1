"""Each shelter's public area: an anchor, a privacy radius, and the municipalities it touches.

Everything a user can observe of where a shelter is (positions, travel, H6 verdicts and their
explanations) is computed from this area, never from the sealed exact point (SPEC §2). The
exact point is read here for one purpose only: to refuse it when it lies further than the radius
from the anchor. The radius never depends on the exact point: it is the network's constant for
the disclosure level, or the administrator's choice.
"""

import json
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import undefer

from placement.errors import RuleViolation
from placement.extensions import db
from placement.geometry import haversine_km, municipality_shapes, touched_by_disk
from placement.models import Municipality, NetworkSettings, Region

# Municipality level: installs draw points 0.5-3 km from the centroid, so 3 km covers them.
# Region level: a region-level shelter may sit in any municipality of its region. In Kosovo the
# farthest municipality centroid lies 31 km from its region's centroid (Podujevë from
# Prishtinë's); with a generated point's 3 km, 35 km covers every one.
DEFAULT_RADII_KM = {"municipality": 3.0, "region": 35.0}
PACKAGED_GEOMETRY = "placement.data.geo"


class AreaError(RuleViolation):
    """An exact location outside its shelter's public area, or an area that cannot hold it."""


def network_settings():
    """The settings row, or the defaults when no network file has been loaded yet."""
    found = db.session.get(NetworkSettings, 1)
    if found is None:
        found = NetworkSettings(
            id=1,
            privacy_radius_municipality_km=DEFAULT_RADII_KM["municipality"],
            privacy_radius_region_km=DEFAULT_RADII_KM["region"],
        )
    return found


def default_radius_km(level):
    row = network_settings()
    return {"municipality": row.privacy_radius_municipality_km,
            "region": row.privacy_radius_region_km}[level]


def save_settings(network, geometry):
    """Store the network's radii, its no-polygon bound and its map geometry's attribution."""
    radii = {**DEFAULT_RADII_KM, **network.get("privacy_radius_km", {})}
    row = db.session.get(NetworkSettings, 1) or NetworkSettings(id=1)
    row.privacy_radius_municipality_km = radii["municipality"]
    row.privacy_radius_region_km = radii["region"]
    row.municipality_reach_km = network.get("municipality_reach_km")
    row.geometry_source = geometry["source"] if geometry else None
    row.geometry_attribution = geometry["attribution"] if geometry else None
    db.session.add(row)


def read_geometry(name, base_dir=None):
    """{"shapes", "source", "attribution"} of a geometry index: a packaged name or a file path.

    A packaged name is a file of placement/data/geo without its .json; a path is read relative
    to the network file's folder. Raises ValueError with a message for the `geometry` field.
    """
    folder = resources.files(PACKAGED_GEOMETRY)
    if folder.joinpath(f"{name}.json").is_file():
        index_text = folder.joinpath(f"{name}.json").read_text(encoding="utf-8")
        read_beside = lambda file: folder.joinpath(file).read_text(encoding="utf-8")  # noqa: E731
    else:
        path = Path(base_dir or ".") / name
        if not path.is_file():
            raise ValueError(f"{name!r} is neither a packaged geometry nor a readable file")
        index_text = path.read_text(encoding="utf-8")
        read_beside = lambda file: (path.parent / file).read_text(encoding="utf-8")  # noqa: E731
    try:
        index = json.loads(index_text)
        shapes = municipality_shapes(index, json.loads(read_beside(index["topojson"])))
    except (OSError, KeyError, ValueError, TypeError) as error:
        raise ValueError(f"{name!r} is not a usable geometry index ({error})") from None
    return {"shapes": shapes, "source": index.get("source") or name,
            "attribution": index.get("attribution")}


def store_boundaries(shapes):
    """Each municipality's polygons (5 decimals, about a metre) for the map and for areas."""
    for municipality in db.session.scalars(sa.select(Municipality)):
        polygons = shapes.get(municipality.code) if shapes else None
        municipality.boundary = None if polygons is None else [
            [[[round(x, 5), round(y, 5)] for x, y in ring] for ring in polygon]
            for polygon in polygons
        ]


def _municipalities():
    return list(db.session.scalars(sa.select(Municipality).order_by(Municipality.code)
                                   .options(undefer(Municipality.boundary))))


def touched_municipalities(lat, lon, radius_km, municipalities=None):
    """Codes of the municipalities a disk of `radius_km` around (lat, lon) touches.

    With polygons: the exact touch test, plus a 0.5 km margin. A municipality without polygons
    is counted when its centroid lies within the radius plus the network's municipality_reach_km
    (the largest centroid-to-boundary distance; by the triangle inequality no touched one is
    missed), or always when the network gives no such bound.
    """
    reach = network_settings().municipality_reach_km
    found = []
    for m in municipalities if municipalities is not None else _municipalities():
        if m.boundary:
            polygons = [[[tuple(p) for p in ring] for ring in polygon] for polygon in m.boundary]
            touched = bool(touched_by_disk({m.code: polygons}, lat, lon, radius_km))
        else:
            touched = reach is None or haversine_km(lat, lon, m.lat, m.lon) <= (
                radius_km + reach + 0.5)
        if touched:
            found.append(m.code)
    return found


def disclosed_centroid(shelter):
    """The centroid the shelter's location_disclosure names: its municipality's or region's."""
    if shelter.location_disclosure == "municipality":
        place = db.session.get(Municipality, shelter.municipality_code)
    else:
        place = db.session.get(Region, shelter.region_code)
    return place.lat, place.lon


def refresh_area(shelter, municipalities=None):
    """Set the anchor and radius from their defaults (unless set by hand), then the area's
    municipalities; the shelter's own municipality must be among them."""
    if not shelter.anchor_set:
        shelter.anchor_lat, shelter.anchor_lon = disclosed_centroid(shelter)
    if not shelter.privacy_radius_set:
        shelter.privacy_radius_km = default_radius_km(shelter.location_disclosure)
    touched = touched_municipalities(shelter.anchor_lat, shelter.anchor_lon,
                                     shelter.privacy_radius_km, municipalities)
    if shelter.municipality_code not in touched:
        raise AreaError(
            "municipality: the shelter's municipality lies outside its public area; move the "
            "anchor or widen privacy_radius_km", {"municipality": ["outside the public area"]})
    shelter.area_municipalities = touched


def check_point(shelter, lat, lon):
    """Refuse an exact location further than the privacy radius from the area's anchor.

    The message names the radius (public) and never the distance (secret).
    """
    if haversine_km(lat, lon, shelter.anchor_lat, shelter.anchor_lon) > shelter.privacy_radius_km:
        raise AreaError(
            f"lat: the exact location must lie within the privacy radius "
            f"({shelter.privacy_radius_km:g} km) of the shelter's public anchor; set an anchor or "
            f"a wider privacy_radius_km", {"lat": ["outside the public area"]})


def public_area(shelter):
    """The area as anyone may see it: all of it public, none of it from the exact point."""
    return {
        "lat": shelter.anchor_lat,
        "lon": shelter.anchor_lon,
        "radius_km": shelter.privacy_radius_km,
        "anchor": "set" if shelter.anchor_set else shelter.location_disclosure,
        "municipalities": list(shelter.area_municipalities or []),
    }
