"""Occupancy now: bed counts by shelter and region, in each caller's scope, for GET /occupancy.

Two numbers answer "is there room?" and they differ (SPEC section 3, H5): `available` counts every
free bed, the figure of SPEC section 7; `open_to_new_requests` counts the beds (and rooms) a NEW
request could enter. A family room holds one group at a time, so a family room with one family in
it has available beds that nobody new can take. Counts come from a fixed number of queries
whatever the network's size: the shelters in scope, one grouped count, the regions.
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


# A room kind's figures as a plain list, summed element-wise: total, occupied, held,
# out_of_service, beds open to a new request, rooms open to one. Plain lists, not objects: at
# 2,500 shelters the answer adds up some 70,000 of them.
TOTAL, OCCUPIED, HELD, OUT, OPEN_BEDS, OPEN_ROOMS = range(6)


def _sum(vectors):
    vectors = list(vectors)
    if len(vectors) == 1:
        return vectors[0]
    return tuple(sum(values) for values in zip(*vectors, strict=True)) if vectors else (0,) * 6


def _as_dict(v, with_counts=True):
    in_service = v[TOTAL] - v[OUT]
    available = in_service - v[OCCUPIED] - v[HELD]
    view = {"total": v[TOTAL], "in_service": in_service, "occupied": v[OCCUPIED],
            "held": v[HELD], "out_of_service": v[OUT], "available": available} if with_counts \
        else {"available": available}
    view["open_to_new_requests"] = {"beds": v[OPEN_BEDS], "rooms": v[OPEN_ROOMS]}
    return view


def _per_room(shelter_ids_query):
    """One row per live room of the selected shelters: its kind, shelter, beds by state. Counts
    are cast to integers: PostgreSQL sums bigints as numeric, slower to add and to read."""
    def count(status):
        return sa.cast(sa.func.sum(sa.case((Bed.status == status, 1), else_=0)), sa.Integer)

    return (
        sa.select(Room.id.label("room_id"), Room.shelter_id, Room.kind,
                  sa.cast(sa.func.count(Bed.id), sa.Integer).label("total"),
                  count("occupied").label("occupied"), count("held").label("held"),
                  count("out_of_service").label("out"))
        .join(Bed, sa.and_(Bed.room_id == Room.id, Bed.removed_at.is_(None)))
        .where(Room.removed_at.is_(None), Room.shelter_id.in_(shelter_ids_query))
        .group_by(Room.id, Room.shelter_id, Room.kind)
        .subquery()
    )


def counts_with_openness(shelter_ids_query):
    """{shelter_id: {room_kind: [figures]}} for the shelters `shelter_ids_query` selects.

    A family room is open to a new request only while nobody occupies or holds any of its beds
    (then all its beds in service are open); any other room's free beds are open.
    """
    room = _per_room(shelter_ids_query)
    free = room.c.total - room.c.out - room.c.occupied - room.c.held
    empty_family = sa.and_(room.c.kind == "family", room.c.occupied == 0, room.c.held == 0)
    open_beds = sa.case((room.c.kind != "family", free),
                        (empty_family, room.c.total - room.c.out), else_=0)
    open_room = sa.case((room.c.kind != "family", sa.case((free > 0, 1), else_=0)),
                        (sa.and_(empty_family, room.c.total > room.c.out), 1), else_=0)

    def total(column):
        return sa.cast(sa.func.sum(column), sa.Integer)

    rows = db.session.execute(
        sa.select(room.c.shelter_id, room.c.kind, total(room.c.total), total(room.c.occupied),
                  total(room.c.held), total(room.c.out), total(open_beds), total(open_room))
        .group_by(room.c.shelter_id, room.c.kind)
    )
    result = {}
    for shelter_id, kind, *figures in rows:
        # Tuples of ints: the collector stops tracking them, and at 2,500 shelters its passes
        # over tracked containers were half the time of this answer.
        result.setdefault(shelter_id, {})[kind] = tuple(figures)
    return result


def _check_region(user, region):
    """A region filter must name a region the caller sees; otherwise it reads as absent."""
    if region is None:
        return
    exists = db.session.get(Region, region) is not None
    if not exists or (user.role == "regional_coordinator" and region != user.region_code):
        raise NotFound(f"region: no region {region!r} in your scope", {"region": ["not found"]})


def scoped_shelters(user, region=None):
    """A SELECT of the shelters the caller sees, optionally of one region (checked)."""
    _check_region(user, region)
    query = sa.select(Shelter).where(shelter_filter(user))
    if region is not None:
        query = query.where(Shelter.region_code == region)
    return query


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


def occupancy(user, region=None, limit=None, offset=0):
    """Everything GET /occupancy answers, as plain dicts and lists (pages call this too).

    Totals, regions and the stale list always cover every shelter in scope; `shelters` holds
    the views of the shelters from `offset`, at most `limit` of them (None: all). Building and
    writing a view is most of the cost of a shelter, so a page builds only its own.
    """
    query = scoped_shelters(user, region)
    shelters = db.session.execute(query.with_only_columns(
        Shelter.id, Shelter.code, Shelter.name, Shelter.kind, Shelter.region_code,
        Shelter.confirmed_at).order_by(Shelter.region_code, Shelter.name)).all()
    by_shelter = counts_with_openness(query.with_only_columns(Shelter.id))
    moment = clock.now()
    with_counts = user.role in COUNT_READERS
    freshness = [capacity.freshness(shelter, moment) for shelter in shelters]
    by_region = _tally_regions(shelters, freshness, by_shelter)
    network = _Tally.combine(by_region.values())
    end = None if limit is None else offset + limit
    shelter_views = [_shelter_view(shelter, by_shelter.get(shelter.id, {}), fresh, with_counts)
                     for shelter, fresh in zip(shelters[offset:end], freshness[offset:end],
                                               strict=True)]
    stale = [{"id": s.id, "name": s.name, "region": s.region_code,
              **({"confirmed_at": s.confirmed_at} if with_counts else {})}
             for s, fresh in zip(shelters, freshness, strict=True) if fresh == "stale"]
    regions_seen = {shelter.region_code for shelter in shelters}
    return {
        "as_of": moment,
        "standard": STANDARD,
        "totals": network.view(with_counts),
        "regions": _region_views(user, regions_seen, by_region, region, with_counts),
        "shelters": shelter_views,
        "stale": {"count": len(stale), "shelters": stale},
    }


def _tally_regions(shelters, freshness, by_shelter):
    """{region code: _Tally} over every shelter in scope."""
    by_region = {}
    for shelter, fresh in zip(shelters, freshness, strict=True):
        by_region.setdefault(shelter.region_code, _Tally()).add(
            by_shelter.get(shelter.id, {}), fresh)
    return by_region


class _Tally:
    """Sums of many shelters' figures by room kind, and their freshness. Figures are collected
    and summed once per kind (zip and sum run in C), not added shelter by shelter in Python."""

    def __init__(self):
        self.parts, self.shelters = {}, 0
        self.freshness = dict.fromkeys(FRESHNESS, 0)
        self._kinds = None

    def add(self, kinds, freshness):
        self.shelters += 1
        self.freshness[freshness] += 1
        for kind, figures in kinds.items():
            self.parts.setdefault(kind, []).append(figures)

    @classmethod
    def combine(cls, tallies):
        whole = cls()
        for tally in tallies:
            whole.shelters += tally.shelters
            for name, count in tally.freshness.items():
                whole.freshness[name] += count
            for kind, figures in tally.kinds.items():
                whole.parts.setdefault(kind, []).append(figures)
        return whole

    @property
    def kinds(self):
        if self._kinds is None:
            self._kinds = {kind: _sum(parts) for kind, parts in self.parts.items()}
        return self._kinds

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
