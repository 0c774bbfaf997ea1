"""Ranked, explained options for one request, in words a case manager can act on at night.

What leaves here: shelter ids and names, room kinds, fit points, a travel band, reason codes and
sentences that state rules and thresholds. All of it is computed from shelters' public areas
(services/instances.py), so none of it depends on where a shelter exactly is.
"""

import sqlalchemy as sa

from optimizer.rules import rank
from placement import clock
from placement.extensions import db
from placement.models import Shelter
from placement.services import capacity
from placement.services.instances import ranking_instance

# Bands, not kilometres: travel runs to the area's anchor, so a band is only a rough drive time.
TRAVEL_BANDS = ((25, "under 30 minutes"), (50, "30 to 60 minutes"), (100, "1 to 2 hours"))


def reason_details(rules, reasons):
    """Each reason as its template key and the parameters it was built from, for readers that
    say it in another language. Every parameter is public: policy figures and the area's radius."""
    return [{"rule": rule, "key": getattr(reason, "key", None),
             "params": dict(getattr(reason, "params", {}))}
            for rule, reason in zip(rules, reasons, strict=True)]


def travel_band(km):
    for limit, band in TRAVEL_BANDS:
        if km < limit:
            return band
    return "over 2 hours"


def proposals_for(request):
    """The optimizer's rank on the current beds (holds included), as the API answers it."""
    instance = ranking_instance(request)
    ranking = rank(instance, request.id, relaxations=True)
    shelters = {s.id: s for s in db.session.scalars(sa.select(Shelter))}
    room_kind = {room.id: room.kind for shelter in instance.shelters for room in shelter.rooms}
    moment = clock.now()
    return {
        "request": request.id,
        "override": request.override_rules or [],
        "options": [_option(o, shelters[o.shelter], room_kind[o.room], moment)
                    for o in _best_room_per_kind(ranking.options, room_kind)],
        "excluded": [
            {"shelter": _shelter_ref(shelters[e.shelter]), "rules": list(e.rules),
             "reasons": list(e.reasons), "details": reason_details(e.rules, e.reasons)}
            for e in ranking.excluded
        ],
        "relaxations": [
            {"rule": r.rule, "shelter": _shelter_ref(shelters[r.shelter]),
             "parameter": r.parameter, "current": r.current, "relaxed": r.relaxed,
             "message": r.message}
            for r in ranking.relaxations
        ],
    }


def _best_room_per_kind(options, room_kind):
    """One option per shelter and room kind: the optimizer's first (tightest fitting) room."""
    seen = set()
    for option in options:
        key = (option.shelter, room_kind[option.room])
        if key not in seen:
            seen.add(key)
            yield option


def _shelter_ref(shelter):
    return {"id": shelter.id, "name": shelter.name, "kind": shelter.kind,
            "region": shelter.region_code}


def _option(option, shelter, room_kind, moment):
    freshness = capacity.freshness(shelter, moment)
    return {
        "shelter": _shelter_ref(shelter),
        "room": option.room,
        "room_kind": room_kind,
        "fit": {"total": option.fit, "language": option.language_points,
                "needs": option.need_points},
        "travel": travel_band(option.travel_km),
        "freshness": freshness,
        "confirm_by_phone": freshness == "stale",
        # The line to call to confirm the bed: a referral phone, never an address.
        "referral_phone": shelter.referral_phone,
    }
