"""Ranking one request (SPEC §3, §4): its feasible options by fit and travel, and why every other
shelter is excluded. The hard rules themselves live in `optimizer/hard/`, read through
`optimizer.registry`; this module adds the fit (L2) and travel (L3) of an option.
"""

from __future__ import annotations

from dataclasses import dataclass

from .geo import haversine_km, rounded_km
from .registry import shelter_verdict
from .relax import relaxations_for
from .types import Exclusion, Id, Relaxation, Request, Shelter
from .vocabulary import WHEELCHAIR

# --- fit and ranking --------------------------------------------------------------------------

def language_points(request: Request, shelter: Shelter) -> int:
    """L2 language part: 2 for a shared staff language, else 1 for interpretation, else 0."""
    if set(request.languages) & set(shelter.languages):
        return 2
    return 1 if "interpretation" in shelter.services else 0


def need_points(request: Request, shelter: Shelter) -> int:
    """L2 needs part: 1 per need (other than wheelchair, a hard rule) the services meet."""
    return sum(1 for need in set(request.needs) if need != WHEELCHAIR and need in shelter.services)


def fit(request: Request, shelter: Shelter) -> int:
    return language_points(request, shelter) + need_points(request, shelter)


def travel_km(request: Request, shelter: Shelter) -> int:
    """L3 per assignment: floor(km + 0.5) from the request's location to the shelter's point
    (its area's anchor when it has one)."""
    loc = request.location
    return rounded_km(haversine_km(loc.lat, loc.lon, shelter.lat, shelter.lon))


@dataclass(frozen=True)
class Option:
    """A feasible (shelter, room) for one request with its fit broken down.

    `travel_km` is the L3 number (internal: the service shows it as a band, never raw).
    """

    shelter: Id
    room: Id
    fit: int
    language_points: int
    need_points: int
    travel_km: int


@dataclass(frozen=True)
class Ranking:
    """`rank`'s answer: options best first, every other shelter's exclusion, relaxations."""

    request: Id
    options: tuple[Option, ...]
    excluded: tuple[Exclusion, ...]
    relaxations: tuple[Relaxation, ...]


def rank(instance, request_id: Id, *, relaxations: bool | None = None,
         verdict=shelter_verdict) -> Ranking:
    """Feasible (shelter, room) options for one request against the current beds.

    Options are ordered by fit (L2) descending, then travel (L3) ascending, then the instance's
    shelter order and the tightest room. Every shelter without an option comes back in `excluded`
    with its rule codes and sentences. `relaxations` are computed when asked, or by default when
    the request has no option at all. `verdict` is `registry.shelter_verdict` or a caller's
    memo of it (the service keeps one per cached shelter).
    """
    request = instance.request(request_id)
    options, excluded = [], []
    for index, shelter in enumerate(instance.shelters):
        rooms, reasons = verdict(instance.policy, request, shelter)
        if reasons:
            excluded.append(Exclusion(shelter.id, tuple(reasons), tuple(reasons.values())))
            continue
        lang, needs, km = (language_points(request, shelter), need_points(request, shelter),
                           travel_km(request, shelter))
        for order, room in enumerate(rooms):
            options.append(((-(lang + needs), km, index, order),
                            Option(shelter.id, room.id, lang + needs, lang, needs, km)))
    options.sort(key=lambda pair: pair[0])
    if relaxations is None:
        relaxations = not options
    found: tuple[Relaxation, ...] = ()
    if relaxations:
        found = relaxations_for(instance, request, excluded)
    return Ranking(request.id, tuple(o for _, o in options), tuple(excluded), found)
