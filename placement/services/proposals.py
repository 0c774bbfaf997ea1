"""Ranked, explained options for one request, in words a case manager can act on at night.

What leaves here: shelter ids and names, room kinds, fit points, a travel band, reason codes and
sentences that state rules and thresholds. Never a distance to a shelter, never coordinates.
"""

import sqlalchemy as sa

from optimizer.rules import rank
from placement import clock
from placement.extensions import db
from placement.models import Shelter
from placement.services import capacity
from placement.services.instances import ranking_instance

# Bands, not kilometres: a band says how far to drive without saying where the shelter is.
TRAVEL_BANDS = ((25, "under 30 minutes"), (50, "30 to 60 minutes"), (100, "1 to 2 hours"))
# One sentence for H6, whichever way it binds. The suspects' points are the caller's to choose,
# so a sentence (or a relaxed threshold) that said how the shelter stands to them would answer
# "is the shelter within N km of this point?": asked often enough, that finds the shelter.
H6_SENTENCE = ("H6: too close to a known suspect (the policy's minimum distance for this risk,"
               " and never in a suspect's municipality)")


def safe_reasons(rules, reasons):
    """The optimizer's sentences, with H6's replaced by the one that reveals nothing."""
    return [H6_SENTENCE if rule == "H6" else reason for rule, reason in zip(rules, reasons,
                                                                              strict=True)]


def reason_details(rules, reasons):
    """Each reason as its template key and parameters (what the sentence was built from), for
    readers that say it in another language; H6 as its one safe template, without parameters."""
    details = []
    for rule, reason in zip(rules, reasons, strict=True):
        if rule == "H6":
            details.append({"rule": rule, "key": "h6_suspect", "params": {}})
        else:
            details.append({"rule": rule, "key": getattr(reason, "key", None),
                            "params": dict(getattr(reason, "params", {}))})
    return details


def safe_relaxations(relaxations):
    """Relaxations fit to show: none about suspects (their figure is a distance band)."""
    return [r for r in relaxations if r.rule != "H6"]


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
        "options": _ordered([_option(o, shelters[o.shelter], room_kind[o.room], moment)
                             for o in _best_room_per_kind(ranking.options, room_kind)]),
        "excluded": [
            {"shelter": _shelter_ref(shelters[e.shelter]), "rules": list(e.rules),
             "reasons": safe_reasons(e.rules, e.reasons),
             "details": reason_details(e.rules, e.reasons)}
            for e in ranking.excluded
        ],
        "relaxations": [
            {"rule": r.rule, "shelter": _shelter_ref(shelters[r.shelter]),
             "parameter": r.parameter, "current": r.current, "relaxed": r.relaxed,
             "message": r.message}
            for r in safe_relaxations(ranking.relaxations)
        ],
    }


def _ordered(options):
    """By fit, then travel band, then shelter id: the exact kilometres stay inside (their order
    within a band would say which shelter is nearer a point the caller chose)."""
    band = {b: i for i, (_limit, b) in enumerate(TRAVEL_BANDS)}
    return sorted(options, key=lambda o: (-o["fit"]["total"], band.get(o["travel"], len(band)),
                                          o["shelter"]["id"], o["room_kind"]))


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
