"""Occupancy now: bed counts by shelter and region, in each caller's scope, for GET /occupancy.

Two numbers answer "is there room?" and they differ (SPEC section 3, H5): `available` counts every
free bed, the figure of SPEC section 7; `open_to_new_requests` counts the beds (and rooms) a NEW
request could enter. A family room holds one group at a time, so a family room with one family in
it has available beds that nobody new can take. Counts come from a fixed number of queries
whatever the network's size, and the database does the adding up: shelters by region and
freshness, beds by region and room kind, then the page's shelters and their beds, the stale list.
"""

import sqlalchemy as sa

from placement import clock
from placement.errors import NotFound
from placement.extensions import db
from placement.models import Bed, Municipality, Region, Room, Shelter
from placement.models.shelter import ROOM_KINDS
from placement.services import capacity
from placement.services.access import shelter_filter

# Council of Europe, "Combating violence against women: minimum standards for support services"
# (Kelly and Dubois, Strasbourg 2008), and the Explanatory Report to the Istanbul Convention
# (CETS No. 210, para. 135): one family place in a specialised women's shelter per 10,000 people.
STANDARD = {
    "places_per_10000": 1,
    "source": "Council of Europe, Combating violence against women: minimum standards for"
              " support services (2008); Explanatory Report to the Istanbul Convention, para. 135",
}
# Roles that see counts; a case manager sees free beds by room kind, as on GET /shelters.
COUNT_READERS = ("shelter_manager", "regional_coordinator", "national_coordinator", "admin")
# Roles that see whole regions, so a region's places per 10,000 people mean something.
REGION_READERS = ("regional_coordinator", "national_coordinator", "admin")
FRESHNESS = ("fresh", "aging", "stale")


# A room kind's figures as a tuple, summed element-wise: total, occupied, held, out_of_service,
# beds open to a new request, rooms open to one.
TOTAL, OCCUPIED, HELD, OUT, OPEN_BEDS, OPEN_ROOMS = range(6)
NONE = (0,) * 6


def _sum(vectors):
    return tuple(sum(values) for values in zip(NONE, *vectors, strict=True))


def _as_dict(v, with_counts=True):
    in_service = v[TOTAL] - v[OUT]
    available = in_service - v[OCCUPIED] - v[HELD]
    view = {"total": v[TOTAL], "in_service": in_service, "occupied": v[OCCUPIED],
            "held": v[HELD], "out_of_service": v[OUT], "available": available} if with_counts \
        else {"available": available}
    view["open_to_new_requests"] = {"beds": v[OPEN_BEDS], "rooms": v[OPEN_ROOMS]}
    return view


def _integer(column):
    """PostgreSQL counts and sums as bigint and numeric: integers are cheaper to add and read."""
    return sa.cast(column, sa.Integer)


def _rooms(shelter_ids=None):
    """One row per live room with live beds: its shelter, kind, beds by state, and what a new
    request could enter; of the shelters `shelter_ids` (a list), or of every shelter. Beds are
    counted per room before any join: 10,000 rows to join at 2,500 shelters, not 35,000.

    A family room is open to a new request only while nobody occupies or holds any of its beds
    (then all its beds in service are open); any other room's free beds are open.
    """
    def count(status):
        return _integer(sa.func.sum(sa.case((Bed.status == status, 1), else_=0)))

    # Ordered by room: PostgreSQL then counts from the index of live beds by (room, status) as
    # it walks it, instead of hashing 35,000 rows into 10,000 groups (40% less time).
    beds = (sa.select(Bed.room_id, _integer(sa.func.count()).label("total"),
                      count("occupied").label("occupied"), count("held").label("held"),
                      count("out_of_service").label("out"))
            .where(Bed.removed_at.is_(None)).group_by(Bed.room_id).order_by(Bed.room_id))
    live = [Room.removed_at.is_(None)]
    if shelter_ids is not None:
        live.append(Room.shelter_id.in_(shelter_ids))
        beds = beds.where(Bed.room_id.in_(sa.select(Room.id).where(*live)))
    beds = beds.subquery()
    free = beds.c.total - beds.c.out - beds.c.occupied - beds.c.held
    empty_family = sa.and_(Room.kind == "family", beds.c.occupied == 0, beds.c.held == 0)
    open_beds = sa.case((Room.kind != "family", free),
                        (empty_family, beds.c.total - beds.c.out), else_=0)
    open_room = sa.case((Room.kind != "family", sa.case((free > 0, 1), else_=0)),
                        (sa.and_(empty_family, beds.c.total > beds.c.out), 1), else_=0)
    return (sa.select(Room.shelter_id, Room.kind, beds.c.total, beds.c.occupied, beds.c.held,
                      beds.c.out, open_beds.label("open_beds"), open_room.label("open_room"))
            .join(beds, beds.c.room_id == Room.id).where(*live).subquery())


def _figures_by(key, rooms):
    """The room figures of `rooms` summed per (key, room kind)."""
    return (key, rooms.c.kind, *(_integer(sa.func.sum(column)) for column in (
        rooms.c.total, rooms.c.occupied, rooms.c.held, rooms.c.out, rooms.c.open_beds,
        rooms.c.open_room)))


def counts_with_openness(shelters):
    """{shelter_id: {room_kind: figures}} for `shelters`: a list of shelter ids (a page), or a
    WHERE clause on Shelter (a whole scope, whose beds are then counted in one pass)."""
    if isinstance(shelters, list):
        if not shelters:
            return {}
        rooms = _rooms(shelters)
        query = sa.select(*_figures_by(rooms.c.shelter_id, rooms))
    else:
        rooms = _rooms()
        query = (sa.select(*_figures_by(rooms.c.shelter_id, rooms))
                 .join(Shelter, Shelter.id == rooms.c.shelter_id).where(shelters))
    result = {}
    for shelter_id, kind, *figures in db.session.execute(
            query.group_by(rooms.c.shelter_id, rooms.c.kind)):
        result.setdefault(shelter_id, {})[kind] = tuple(figures)
    return result


def _check_region(user, region):
    """A region filter must name a region the caller sees; otherwise it reads as absent."""
    if region is None:
        return
    exists = db.session.get(Region, region) is not None
    if not exists or (user.role == "regional_coordinator" and region != user.region_code):
        raise NotFound(f"region: no region {region!r} in your scope", {"region": ["not found"]})


def scope_filter(user, region=None):
    """A WHERE clause on Shelter: the shelters the caller sees, optionally of one region
    (checked)."""
    _check_region(user, region)
    if region is None:
        return shelter_filter(user)
    return sa.and_(shelter_filter(user), Shelter.region_code == region)


def region_populations():
    """{region code: residents}, or None for a region any of whose municipalities lacks one:
    a partial sum would overstate places per 10,000 people."""
    rows = db.session.execute(
        sa.select(Municipality.region_code, sa.func.sum(Municipality.population),
                  sa.func.count(Municipality.population), sa.func.count())
        .group_by(Municipality.region_code)
    )
    return {code: int(total) if total is not None and known == every and every else None
            for code, total, known, every in rows}


# The order of every shelter list: by region, then name (the id settles equal names, so pages
# never overlap).
SHELTER_ORDER = (Shelter.region_code, Shelter.name, Shelter.id)


def occupancy(user, region=None, limit=None, offset=0):
    """Everything GET /occupancy answers, as plain dicts and lists (pages call this too).

    Totals, regions and the stale list always cover every shelter in scope; `shelters` holds
    the views of the shelters from `offset`, at most `limit` of them (None: all). The database
    sums the regions (one grouped query over the beds) and counts freshness; only the page's
    shelters are loaded with their figures, so the work of a page does not grow with the
    network's size beyond those two grouped queries and the stale list.
    """
    scope = scope_filter(user, region)
    moment = clock.now()
    with_counts = user.role in COUNT_READERS
    by_region = _region_tallies(scope, moment)
    network = _Tally.combine(by_region.values())
    page = _page(scope, moment, limit, offset)
    kinds = counts_with_openness(scope if limit is None else [shelter.id for shelter in page])
    return {
        "as_of": moment,
        "standard": STANDARD,
        "totals": network.view(with_counts),
        "regions": _region_views(user, set(by_region), by_region, region, with_counts),
        "shelters": [_shelter_view(shelter, kinds.get(shelter.id, {}), shelter.freshness,
                                   with_counts) for shelter in page],
        "stale": _stale(scope, moment, with_counts),
    }


def _page(scope, moment, limit, offset):
    """The page's shelters in list order, each with its freshness."""
    query = (sa.select(Shelter.id, Shelter.code, Shelter.name, Shelter.kind,
                       Shelter.region_code, Shelter.confirmed_at,
                       capacity.freshness_sql(moment).label("freshness"))
             .where(scope).order_by(*SHELTER_ORDER).offset(offset or None).limit(limit))
    return db.session.execute(query).all()


def _stale(scope, moment, with_counts):
    """Every stale shelter in scope, in list order."""
    rows = db.session.execute(
        sa.select(Shelter.id, Shelter.name, Shelter.region_code, Shelter.confirmed_at)
        .where(scope, capacity.freshness_sql(moment) == "stale").order_by(*SHELTER_ORDER))
    shelters = [{"id": id_, "name": name, "region": code,
                 **({"confirmed_at": confirmed} if with_counts else {})}
                for id_, name, code, confirmed in rows]
    return {"count": len(shelters), "shelters": shelters}


def _region_tallies(scope, moment):
    """{region code: _Tally} over every shelter in scope: two grouped queries, one counting
    shelters by freshness, one summing the beds of their rooms by room kind."""
    by_region = {}
    fresh = capacity.freshness_sql(moment).label("freshness")
    for code, state, shelters in db.session.execute(
            sa.select(Shelter.region_code, fresh, sa.func.count())
            .where(scope).group_by(Shelter.region_code, fresh)):
        tally = by_region.setdefault(code, _Tally())
        tally.shelters += shelters
        tally.freshness[state] += shelters
    rooms = _rooms()
    columns = _figures_by(Shelter.region_code, rooms)
    for code, kind, *figures in db.session.execute(
            sa.select(*columns).join(Shelter, Shelter.id == rooms.c.shelter_id).where(scope)
            .group_by(Shelter.region_code, rooms.c.kind)):
        by_region.setdefault(code, _Tally()).kinds[kind] = tuple(figures)
    return by_region


class _Tally:
    """A region's (or the network's) shelters, their freshness, and figures by room kind."""

    def __init__(self):
        self.shelters, self.kinds = 0, {}
        self.freshness = dict.fromkeys(FRESHNESS, 0)

    @classmethod
    def combine(cls, tallies):
        whole = cls()
        parts = {}
        for tally in tallies:
            whole.shelters += tally.shelters
            for name, count in tally.freshness.items():
                whole.freshness[name] += count
            for kind, figures in tally.kinds.items():
                parts.setdefault(kind, []).append(figures)
        whole.kinds = {kind: _sum(figures) for kind, figures in parts.items()}
        return whole

    def view(self, with_counts):
        view = {"shelters": self.shelters, "freshness": dict(self.freshness)}
        view.update(_as_dict(_sum(self.kinds.values()), with_counts))
        view["by_room_kind"] = _by_kind_view(self.kinds, with_counts)
        return view


def _by_kind_view(kinds, _with_counts=None):
    """By room kind, the two numbers that answer "is there room?" (the full counts are on the
    shelter, region and network themselves: at 2,500 shelters they would triple the answer)."""
    return {kind: _as_dict(kinds[kind], with_counts=False) for kind in ROOM_KINDS
            if kind in kinds}


def _shelter_view(shelter, kinds, freshness, with_counts):
    view = {"id": shelter.id, "code": shelter.code, "name": shelter.name, "kind": shelter.kind,
            "region": shelter.region_code, "freshness": freshness}
    if with_counts:
        view["confirmed_at"] = shelter.confirmed_at
    view.update(_as_dict(_sum(kinds.values()), with_counts))
    view["by_room_kind"] = _by_kind_view(kinds, with_counts)
    return view


def _region_views(user, regions_seen, by_region, region, with_counts):
    query = sa.select(Region.code, Region.name).order_by(Region.code)
    if region is not None:
        query = query.where(Region.code == region)
    elif user.role == "regional_coordinator":
        query = query.where(Region.code == user.region_code)
    elif user.role == "shelter_manager":
        query = query.where(Region.code.in_(regions_seen))
    populations = region_populations() if user.role in REGION_READERS else {}
    views = []
    for code, name in db.session.execute(query):
        view = {"code": code, "name": name,
                **by_region.get(code, _Tally()).view(with_counts)}
        if user.role in REGION_READERS:
            view.update(_per_population(view["in_service"], populations.get(code)))
        views.append(view)
    return views


def _per_population(in_service, population):
    """Beds in service per 10,000 residents, against the standard of one (None: no figure)."""
    if not population:
        return {"population": population, "places_per_10000": None, "meets_standard": None}
    rate = round(in_service * 10_000 / population, 2)
    return {"population": population, "places_per_10000": rate,
            "meets_standard": rate >= STANDARD["places_per_10000"]}
