"""What the coordinators' map pages hand the cartography library, built from the occupancy view.

Areas are shaded by places that can take a new request (`open_to_new_requests.beds`) out of beds
in service. Shelters are drawn only at their public position, the one GET /shelters shows
(`shelters.public_position`: the municipality's or region's centroid), and counted per position.
A region's drill-down shades a municipality only with shelters whose municipality is public; the
others stay at the region's centre, so the picture says nothing the API does not.
"""

from collections import Counter, defaultdict

import sqlalchemy as sa

from placement.cartography import Marker, MissingGeometry, Places, kosovo_atlas
from placement.extensions import db
from placement.models import Municipality, Region, Shelter
from placement.services import capacity, occupancy
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
    rows = db.session.execute(sa.select(*POSITION_COLUMNS).where(Shelter.id.in_(ids)))
    return {row.id: public_position(row) for row in rows}


def scope_positions(user, moment):
    """[(public position, freshness)] of every shelter in the user's scope, freshness as of
    `moment`: what the whole network's markers need, without any shelter's figures.

    Rows hold only the columns public_position reads (reading another raises), so a change
    to public_position cannot pass unnoticed.
    """
    rows = db.session.execute(
        sa.select(*POSITION_COLUMNS, capacity.freshness_sql(moment).label("freshness"))
        .where(occupancy.scope_filter(user)))
    return [(public_position(row), row.freshness) for row in rows]


def markers(shelters):
    """One Marker per public position: how many shelters stand there, by freshness.
    `shelters`: (public position, freshness) pairs."""
    by_position = defaultdict(Counter)
    where = {}
    for position, freshness in shelters:
        by_position[position["code"]][freshness] += 1
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
