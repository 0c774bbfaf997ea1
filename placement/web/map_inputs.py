"""What the coordinators' map pages hand the cartography library, built from the occupancy view.

Areas are shaded by places that can take a new request (`open_to_new_requests.beds`) out of beds
in service. Shelters are drawn only at their public position, the one GET /shelters shows
(`shelters.public_position`: the municipality's or region's centroid), and counted per position.
A region's drill-down shades a municipality only with shelters whose municipality is public; the
others stay at the region's centre, so the picture says nothing the API does not.
"""

from collections import Counter, defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import load_only

from placement.cartography import Marker, MissingGeometry, Places, kosovo_atlas
from placement.extensions import db
from placement.models import Municipality, Region, Shelter
from placement.services.shelters import public_position
from placement.web.i18n import municipality_name, region_name


def network_atlas():
    """The Atlas of this network's municipalities, or None when no geometry draws them all."""
    rows = db.session.execute(sa.select(Municipality.code, Municipality.region_code))
    region_of = {code: region for code, region in rows}
    try:
        return kosovo_atlas(region_of)
    except MissingGeometry:
        return None


def place_names():
    """Region and municipality names in the page's language, by code (what the SVG writes)."""
    names = {code: municipality_name(code) for code in db.session.scalars(
        sa.select(Municipality.code))}
    names.update({code: region_name(code) for code in db.session.scalars(sa.select(Region.code))})
    return names


def region_places(view):
    return {r["code"]: _places(r) for r in view["regions"] if r["shelters"]}


def _places(figures):
    return Places(free=figures["open_to_new_requests"]["beds"], total=figures["in_service"])


POSITION_COLUMNS = (Shelter.id, Shelter.location_disclosure, Shelter.municipality_code,
                    Shelter.region_code, Shelter.anchor_lat, Shelter.anchor_lon)


def public_positions(view):
    """{shelter id: public position dict} for the shelters of an occupancy view, as
    `shelters.public_position` (GET /shelters) gives it."""
    ids = [s["id"] for s in view["shelters"]]
    if not ids:
        return {}
    # Places first: a shelter's municipality and region are then found in the session, not
    # fetched one by one (45 rows instead of 2 queries per shelter).
    db.session.scalars(sa.select(Municipality)).all()
    db.session.scalars(sa.select(Region)).all()
    # Only the columns public_position reads (a whole Shelter row costs ~0.2 ms at 2,500 of
    # them); reading another raises, so a change to public_position cannot pass unnoticed.
    shelters = db.session.scalars(
        sa.select(Shelter).where(Shelter.id.in_(ids))
        .options(load_only(*POSITION_COLUMNS, raiseload=True))
    )
    return {s.id: public_position(s) for s in shelters}


def markers(view, positions):
    """One Marker per public position: how many shelters stand there, by freshness."""
    by_position = defaultdict(Counter)
    where = {}
    for shelter in view["shelters"]:
        position = positions[shelter["id"]]
        by_position[position["code"]][shelter["freshness"]] += 1
        where[position["code"]] = position
    result = []
    for code, states in sorted(by_position.items()):
        position = where[code]
        label = (municipality_name(code) if position["level"] == "municipality"
                 else region_name(code))
        result.append(Marker(position=code, lat=position["lat"], lon=position["lon"],
                             label=label, shelters=sum(states.values()), freshness=dict(states)))
    return result


def municipality_places(view, positions):
    """Places per municipality, from shelters whose municipality is public only."""
    free, total = Counter(), Counter()
    for shelter in view["shelters"]:
        position = positions[shelter["id"]]
        if position["level"] == "municipality":
            free[position["code"]] += shelter["open_to_new_requests"]["beds"]
            total[position["code"]] += shelter["in_service"]
    return {code: Places(free=free[code], total=total[code]) for code in total}
