"""H6 suspects: far enough from every known suspect, and never in a suspect's municipality.

Judged on the shelter's public area: its lat/lon is the area's anchor, the true point lies within
`location_radius_km` of it, and the area touches `area_towns`. A shelter fails when a suspect is
closer than the policy's distance plus that radius to the anchor (by the triangle inequality this
excludes every shelter the rule on the true point would), or in a municipality the area touches.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from ..geo import distances_km, haversine_km
from ..types import Relaxation
from .base import Reason, Rule

# Batch codes: the rule holds, or which half of it excludes the shelter.
HOLDS, IN_MUNICIPALITY, TOO_CLOSE = 0, 1, 2
# A vectorised distance this close to a threshold is recomputed with `haversine_km`, so the batch
# agrees exactly with `check`.
EDGE_KM = 1e-6
# A relaxed distance is offered in whole steps of this, never below it: a finer value would say
# how far the suspect is from the shelter's area.
STEP_KM = 5.0
MUNICIPALITY = Reason("h6_municipality",
                      "H6: the shelter is in the municipality of a known suspect")
AREA_MUNICIPALITY = Reason("h6_area_municipality",
                           "H6: the shelter's area touches the municipality of a known suspect")


def nearest_suspect_km(request, shelter) -> float:
    """Internal only (never shown): the shortest distance from the shelter's point (its area's
    anchor when it has one) to a suspect."""
    return min((suspect_km(s, shelter) for s in request.suspects), default=float("inf"))


def suspect_km(suspect, shelter) -> float:
    """Internal only: one suspect's distance to the shelter's point."""
    return haversine_km(suspect.lat, suspect.lon, shelter.lat, shelter.lon)


def suspect_in_municipality(request, shelter) -> bool:
    """A suspect's municipality is one the shelter's area touches (its own, without an area)."""
    towns = shelter.area_towns
    return any(s.municipality is not None and s.municipality in towns for s in request.suspects)


def threshold_km(policy, request, shelter) -> float:
    """The distance kept from the shelter's point: the policy's, plus the privacy radius."""
    return policy.min_suspect_distance_km[request.risk] + shelter.location_radius_km


def check(policy, request, shelter) -> str | None:
    if suspect_in_municipality(request, shelter):
        return municipality_sentence(shelter)
    if nearest_suspect_km(request, shelter) < threshold_km(policy, request, shelter):
        return distance_sentence(policy, request, shelter)
    return None


def over_shelters(table, policy, request) -> np.ndarray:
    """`check` for every shelter of the table (`batch.Geometry`): HOLDS, IN_MUNICIPALITY
    (checked first, as `check` does) or TOO_CLOSE per shelter."""
    same_town = np.zeros(len(table.lats), dtype=bool)
    near = np.zeros(len(table.lats), dtype=bool)
    threshold = policy.min_suspect_distance_km[request.risk]
    limits = threshold + table.radii
    for suspect in request.suspects:
        d = distances_km(suspect.lat, suspect.lon, table.lats, table.lons)
        close = d < limits
        for i in np.nonzero(np.abs(d - limits) < EDGE_KM)[0]:
            shelter = table.shelters[i]
            close[i] = suspect_km(suspect, shelter) < threshold_km(policy, request, shelter)
        near |= close
        if suspect.municipality is not None:
            same_town |= table.touches(suspect.municipality)
    return np.where(same_town, IN_MUNICIPALITY, np.where(near, TOO_CLOSE, HOLDS))


def municipality_sentence(shelter) -> str:
    return AREA_MUNICIPALITY if shelter.has_area else MUNICIPALITY


def distance_sentence(policy, request, shelter) -> str:
    """The rule and its whole threshold: all of it public (policy and the area's radius)."""
    threshold = policy.min_suspect_distance_km[request.risk]
    radius = shelter.location_radius_km
    if not radius:
        return Reason("h6_distance", f"H6: a known suspect is within the minimum distance of "
                      f"{threshold:g} km for {request.risk} risk", km=threshold, risk=request.risk)
    return Reason("h6_area_distance", f"H6: a known suspect is within {threshold + radius:g} km "
                  f"of the shelter's area (policy {threshold:g} km for {request.risk} risk + "
                  f"{radius:g} km privacy radius)", total=threshold + radius, km=threshold,
                  radius=radius, risk=request.risk)


def relax(instance, request, shelter_id):
    """A smaller policy distance for this risk that would admit the shelter, in whole steps."""
    shelter = instance.shelter(shelter_id)
    if suspect_in_municipality(request, shelter):
        return None  # the municipality rule has no threshold to relax
    current = instance.policy.min_suspect_distance_km[request.risk]
    # The policy distance that would admit the shelter, its privacy radius still added on.
    room = nearest_suspect_km(request, shelter) - shelter.location_radius_km
    relaxed_km = math.floor(room / STEP_KM) * STEP_KM
    if relaxed_km < STEP_KM or relaxed_km >= current:
        return None
    return Relaxation(
        "H6", shelter_id, f"min_suspect_distance_km.{request.risk}", current, relaxed_km,
        f"H6: placeable at shelter {shelter_id} if the suspect distance for {request.risk} "
        f"risk were {relaxed_km:g} km instead of {current:g}")


def relaxed(policy, shelter, relaxation):
    table = dict(policy.min_suspect_distance_km)
    table[relaxation.parameter.split(".", 1)[1]] = relaxation.relaxed
    return replace(policy, min_suspect_distance_km=table), shelter


RULE = Rule(
    code="H6",
    says="at least min_suspect_distance_km[risk] (plus the privacy radius) from every known "
         "suspect, and not in a suspect's municipality",
    scope="place",
    check=check,
    request_reads=("risk", "suspects"),
    shelter_reads=("lat", "lon", "location_radius_km", "area_towns", "has_area"),
    override="known suspects are not considered for this request",
    relax=relax,
    relaxed=relaxed,
    over_shelters=over_shelters,
    says_reads=("location_radius_km", "has_area"),
)
