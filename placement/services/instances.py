"""The one place that turns rows into the optimizer's instance (SPEC section 5) and back.

A shelter enters the instance as its public area (SPEC §2): the anchor as its lat/lon, the privacy
radius as location_radius_km, the municipalities the area touches; never its sealed exact point,
so nothing the optimizer answers (options, travel, H6, explanations) can depend on that point.
A region-level shelter's own municipality stays out too. Suspect coordinates are opened here,
handed to the optimizer in memory, and never leave this module in a response.
"""

import json

import sqlalchemy as sa

from optimizer.io import instance_from_dict, policy_from_dict, requests_from_list
from optimizer.types import Instance
from placement.extensions import db
from placement.models import (
    Bed,
    Case,
    Hold,
    Municipality,
    Placement,
    PlacementRequest,
    Room,
    Shelter,
)
from placement.services import network_cache
from placement.services import policy as stored_policy
from placement.services.cases import suspects_of

# Up to this many requests, the residents read are only those related to them by a keep-apart.
RELATED_ONLY = 8


def shelter_dicts(shelter_ids=None):
    """Every shelter (or those named) with rooms, beds in service, occupants and held beds."""
    query = sa.select(Shelter).order_by(Shelter.id)
    if shelter_ids is not None:
        query = query.where(Shelter.id.in_(shelter_ids))
    shelters = list(db.session.scalars(query))
    rooms = _rooms_by_shelter([s.id for s in shelters])
    return [_shelter_dict(s, rooms.get(s.id, [])) for s in shelters]


def _rooms_by_shelter(shelter_ids):
    rows = db.session.execute(
        sa.select(Room.shelter_id, Room.id, Room.kind, Room.gender, Bed.status,
                  Bed.occupant_gender, Bed.occupant_age, Bed.occupant_group)
        .join(Bed, Bed.room_id == Room.id)
        .where(Room.shelter_id.in_(shelter_ids), Room.removed_at.is_(None),
               Bed.removed_at.is_(None))
        .order_by(Room.shelter_id, Room.code, Bed.id)
    )
    rooms = {}
    for shelter_id, room_id, kind, gender, status, o_gender, o_age, o_group in rows:
        room = rooms.setdefault((shelter_id, room_id), {
            "id": room_id, "kind": kind, "gender": gender, "beds": 0, "occupants": [], "held": 0,
        })
        if status == "out_of_service":
            continue
        room["beds"] += 1
        if status == "held":
            room["held"] += 1
        elif status == "occupied":
            room["occupants"].append({"gender": o_gender, "age": o_age, "group": o_group})
    by_shelter = {}
    for (shelter_id, _room_id), room in rooms.items():
        by_shelter.setdefault(shelter_id, []).append(room)
    return by_shelter


def _public_label(shelter):
    """The instance's `municipality` label: the disclosed one, or the region's for a shelter
    that discloses only its region (H6 uses area_municipalities, never this label)."""
    if shelter.location_disclosure == "municipality":
        return shelter.municipality_code
    return f"region:{shelter.region_code}"


def _shelter_dict(shelter, rooms):
    return {
        "id": shelter.id,
        "kind": shelter.kind,
        "security_level": shelter.security_level,
        "lat": shelter.anchor_lat,
        "lon": shelter.anchor_lon,
        "location_radius_km": shelter.privacy_radius_km,
        "area_municipalities": list(shelter.area_municipalities),
        "municipality": _public_label(shelter),
        "gender_policy": shelter.gender_policy,
        "accepts_unaccompanied_minors": shelter.accepts_unaccompanied_minors,
        "accepts_accompanied_children": shelter.accepts_accompanied_children,
        "max_accompanying_boy_age": shelter.max_accompanying_boy_age,
        "languages": list(shelter.languages),
        "services": list(shelter.services),
        "wheelchair_accessible": shelter.wheelchair_accessible,
        "rooms": rooms,
    }


def _centroids(codes):
    """{code: (lat, lon)} of these municipalities, read again each time: a network file loaded
    again moves them, with nothing cheaper to check a kept copy by than reading the row. As
    plain SQL: building the Core statement cost several times what reading the rows does."""
    ordered = sorted(codes)
    if not ordered:
        return {}
    # A plain statement does not flush: flush as an ORM query would.
    db.session.flush()
    connection = db.session.connection()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    rows = connection.exec_driver_sql(
        f"SELECT code, lat, lon FROM {Municipality.__tablename__}"
        f" WHERE code IN ({', '.join([mark] * len(ordered))})", tuple(ordered))
    return {code: (lat, lon) for code, lat, lon in rows}


def _residence_of_cases(cases=None):
    """[(shelter id, case code, case keep-apart codes)] for every live hold or placement, or,
    given `cases` (the requests' own), only those a keep-apart could join to one of them: a
    resident named in their lists, or one whose own list names one of them (matched on the list
    as stored, its JSON text: a superset, which `KeepApart` then matches exactly). A network of
    thousands of residents is then not read for every request's proposals.

    An accepted hold stays `accepted` after its placement ends (no-show, discharge, transfer):
    the placement, not the hold, says whether the person is still expected or there.
    """
    if cases is None:
        related = sa.true()
    else:
        named = sorted({code for case in cases for code in case.keep_apart_from or []})
        related = sa.or_(Case.code.in_(named), *(
            sa.cast(Case.keep_apart_from, sa.Text).contains(json.dumps(case.code),
                                                             autoescape=True)
            for case in cases))
    holds = (
        sa.select(Hold.shelter_id, Case.code, Case.keep_apart_from)
        .join(PlacementRequest, PlacementRequest.id == Hold.request_id)
        .join(Case, Case.id == PlacementRequest.case_id)
        .where(Hold.status == "active", related)
    )
    placed = (
        sa.select(Placement.shelter_id, Case.code, Case.keep_apart_from)
        .join(PlacementRequest, PlacementRequest.id == Placement.request_id)
        .join(Case, Case.id == PlacementRequest.case_id)
        .where(Placement.status.in_(("accepted", "placed")), related)
    )
    return db.session.execute(sa.union_all(holds, placed)).all()


class KeepApart:
    """What a keep-apart joins to a case, either way round: those it names, and those whose own
    list names it. Found through two indexes, where comparing every pair cost a run of 1,000
    requests 10^6 comparisons (3.1 s of its 4.0 s of building, profiled)."""

    def __init__(self, members):
        """`members`: (item, case code, the case's keep-apart codes)."""
        self.by_code, self.naming = {}, {}
        for item, code, apart in members:
            self.by_code.setdefault(code, []).append(item)
            for named in apart or ():
                self.naming.setdefault(named, []).append(item)

    def joined(self, code, apart):
        """The items a case of this code and keep-apart list is to be kept apart from (an item
        may come twice; the case's own items too, when it names itself)."""
        found = list(self.naming.get(code, ()))
        for named in apart or ():
            found.extend(self.by_code.get(named, ()))
        return found


def request_dicts(requests):
    """The §5 request objects of these placement requests, with keep-apart resolved."""
    suspects = {request.id: suspects_of(request.case) for request in requests}
    centroids = _centroids({r.current_municipality for r in requests} | {
        s["municipality"] for found in suspects.values() for s in found
        if s.get("lat") is None})
    # A few requests (proposals, a hold: one) read only the residents a keep-apart could join
    # to them; a run's queue reads them all once.
    residences = _residence_of_cases(
        [r.case for r in requests] if len(requests) <= RELATED_ONLY else None)
    others = KeepApart((k, r.case.code, r.case.keep_apart_from) for k, r in enumerate(requests))
    residents = KeepApart(((shelter_id, code), code, apart)
                          for shelter_id, code, apart in residences)
    dicts = []
    for request in requests:
        case = request.case
        lat, lon = centroids[request.current_municipality]
        persons = case.persons
        entry = {
            "id": request.id,
            "category": case.category,
            "risk": case.risk,
            "urgency": request.urgency,
            "location": {"lat": lat, "lon": lon},
            "persons": [{k: p[k] for k in ("gender", "age", "role")} for p in persons],
            "languages": sorted({lang for p in persons for lang in p.get("languages", [])}),
            "needs": sorted({need for p in persons for need in p.get("needs", [])}),
            "suspects": _suspect_dicts(suspects[request.id], centroids),
            "keep_apart_from": [
                requests[k].id
                for k in sorted(set(others.joined(case.code, case.keep_apart_from)))
                if requests[k].case_id != case.id
            ],
            "exclude_shelters": sorted({
                shelter_id
                for shelter_id, code in residents.joined(case.code, case.keep_apart_from)
                if code != case.code
            }),
            # A coordinator's overrides travel as waivers: the optimizer skips those rules for
            # this request alone, in a proposal, a hold and a run alike.
            "waived": sorted(request.override_rules or []),
        }
        dicts.append(entry)
    return dicts


def _suspect_dicts(suspects, centroids):
    result = []
    for suspect in suspects:
        municipality = suspect.get("municipality")
        if suspect.get("lat") is not None:
            lat, lon = suspect["lat"], suspect["lon"]
        else:
            lat, lon = centroids[municipality]
        result.append({"lat": lat, "lon": lon, "municipality": municipality})
    return result


def build_instance(requests, shelter_ids=None, policy=None, shelters=None):
    """The instance of these requests under the stored policy (or `policy`, its §5 object).

    The shelters come ready from the network cache (services/network_cache.py), read again
    only where their version moved (or are `shelters`, ready ones the caller just took from
    it); the requests and the policy are read now."""
    if shelter_ids is not None:
        document = {"shelters": shelter_dicts(shelter_ids), "requests": request_dicts(requests),
                    "policy": stored_policy.optimizer_policy() if policy is None else policy}
        return instance_from_dict(document)
    if shelters is None:
        shelters = [entry.shelter for entry in network_cache.entries()]
    requests = requests_from_list(request_dicts(requests))
    policy = network_cache.policy_in_force().policy if policy is None else policy_from_dict(policy)
    return Instance(shelters=tuple(shelters), requests=requests, policy=policy)


def ranking_request(request):
    """What ranking one request against the cached network needs besides it: the stored
    policy (a `network_cache.StoredPolicy`) and the request as the optimizer reads it."""
    return network_cache.policy_in_force(), requests_from_list(request_dicts([request]))[0]


def ranking_instance(request, shelters=None):
    """One request against every shelter, its coordinator's overrides travelling as waivers."""
    return build_instance([request], shelters=shelters)
