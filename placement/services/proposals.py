"""Ranked, explained options for one request, in words a case manager can act on at night.

What leaves here: shelter ids and names, room kinds, fit points, a travel band, reason codes and
sentences that state rules and thresholds. All of it is computed from shelters' public areas
(services/instances.py), so none of it depends on where a shelter exactly is.
"""

import numpy as np

from placement import clock
from placement.services import capacity, exclusions, network_cache
from placement.services.instances import ranking_request

# Bands, not kilometres: travel runs to the area's anchor, so a band is only a rough drive time.
# The options, excluded shelters and relaxations answered inline by default (all of Kosovo's fit: 8
# shelters, a few room kinds each), and the most a page may ask for.
OPTIONS_LIMIT = 50
EXCLUDED_LIMIT = 25
RELAXATIONS_LIMIT = 25
PAGE_LIMIT_MAX = 500
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


def proposals_for(request, excluded_limit=EXCLUDED_LIMIT, excluded_offset=0,
                  options_limit=OPTIONS_LIMIT, options_offset=0,
                  relaxations_limit=RELAXATIONS_LIMIT, relaxations_offset=0):
    """The optimizer's rank on the current beds (holds included), as the API answers it.

    `options` are the page `options_offset`, `options_limit` of the ranked options, best first,
    of `options_total`. Every excluded shelter is counted under each rule that rules it out
    (`excluded_by_rule`, with a few examples); `excluded` itself is the page `excluded_offset`,
    `excluded_limit` of them in shelter order, of `excluded_total`; `relaxations` likewise.
    A limit of None: all of them."""
    network = network_cache.snapshot()
    entries = network.by_id
    policy, asked = ranking_request(request)

    def derive(ranked):
        return _best_room_per_kind(ranked), exclusions.by_rule(
            ranked.excluded, lambda shelter: entries[shelter].ref)

    ranked, (options, by_rule) = network_cache.ranking(network, policy, asked, derive)
    moment = clock.now()
    return {
        "request": request.id,
        "override": request.override_rules or [],
        "options": [_option(o, entries[o.shelter], moment)
                    for o in ranked.options(_page(options, options_offset, options_limit))],
        "options_total": len(options),
        "excluded": [
            {"shelter": dict(entries[e.shelter].ref), "rules": list(e.rules),
             "reasons": list(e.reasons), "details": reason_details(e.rules, e.reasons)}
            for e in _page(ranked.excluded, excluded_offset, excluded_limit)
        ],
        "excluded_total": len(ranked.excluded),
        "excluded_by_rule": by_rule,
        "relaxations": [
            {"rule": r.rule, "shelter": dict(entries[r.shelter].ref),
             "parameter": r.parameter, "current": r.current, "relaxed": r.relaxed,
             "message": r.message}
            for r in _page(ranked.relaxations, relaxations_offset, relaxations_limit)
        ],
        "relaxations_total": len(ranked.relaxations),
    }


def _page(items, offset, limit):
    return items[offset:None if limit is None else offset + limit]


def _best_room_per_kind(ranked):
    """The rows (positions in rank order) of one option per shelter and room kind: the
    optimizer's first, tightest fitting, room of that kind."""
    if not len(ranked):
        return np.zeros(0, dtype=np.int64)
    _kinds, kind = np.unique(ranked.ranker.rooms.kind[ranked.room], return_inverse=True)
    shelter_and_kind = ranked.shelter.astype(np.int64) * (int(kind.max()) + 1) + kind
    _pairs, first = np.unique(shelter_and_kind, return_index=True)
    return np.sort(first)


def _option(option, entry, moment):
    freshness = capacity.freshness(entry, moment)
    return {
        "shelter": dict(entry.ref),
        "room": option.room,
        "room_kind": entry.room_kinds[option.room],
        "fit": {"total": option.fit, "language": option.language_points,
                "needs": option.need_points},
        "travel": travel_band(option.travel_km),
        "freshness": freshness,
        "confirm_by_phone": freshness == "stale",
        # The line to call to confirm the bed: a referral phone, never an address.
        "referral_phone": entry.referral_phone,
    }
