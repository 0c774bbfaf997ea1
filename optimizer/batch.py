"""The rules of `rules.py` for one request against every shelter at once.

Person-level rules (H3, H4, H8) and fit depend on a few shelter fields only, so they are evaluated
with the one-pair functions once per distinct combination of those fields ("traits") and spread
over the shelters with numpy. Room rules (H1, H2, H5) are vectorised over all rooms. Suspect
distances (H6) are vectorised, and any value within a hair of a threshold or a rounding edge is
recomputed with `geo.haversine_km`, so the batch agrees exactly with the one-pair functions.
"""

from __future__ import annotations

import math

import numpy as np

from .geo import EARTH_RADIUS_KM, haversine_km, rounded_km
from .rules import (
    family_room_free,
    language_points,
    oldest_boy,
    profile_reasons,
    room_genders,
)
from .types import WHEELCHAIR, Instance, Request

_EDGE = 1e-6
_KINDS = {"adult": 0, "minor": 1, "family": 2}


def person_key(request: Request) -> tuple:
    """Everything H3, H4 and H8 read from a request."""
    return (request.category, request.risk, frozenset(p.gender for p in request.members),
            bool(request.accompanying_children), oldest_boy(request), request.unaccompanied,
            WHEELCHAIR in request.needs)


def room_key(request: Request) -> tuple:
    """Everything H1, H2 and H5 read from a request."""
    return (request.size, request.needs_family_room, request.age_kind, request.gender)


def _traits(shelter) -> tuple:
    return (shelter.kind, shelter.security_level, shelter.gender_policy,
            shelter.accepts_unaccompanied_minors, shelter.accepts_accompanied_children,
            shelter.max_accompanying_boy_age, shelter.wheelchair_accessible)


def _groups(values: list) -> tuple[np.ndarray, list[int]]:
    """Index of each value's group, and the first member of each group."""
    seen: dict = {}
    firsts: list[int] = []
    index = []
    for k, value in enumerate(values):
        group = seen.get(value)
        if group is None:
            group = seen[value] = len(firsts)
            firsts.append(k)
        index.append(group)
    return np.array(index, dtype=np.int64), firsts


class PersonRules:
    """H3, H4, H8 and the L2 fit of a request at every shelter, cached per kind of request."""

    def __init__(self, instance: Instance):
        self.instance = instance
        shelters = instance.shelters
        self.trait_of, self._trait_firsts = _groups([_traits(s) for s in shelters])
        self.speech_of, self._speech_firsts = _groups(
            [(frozenset(s.languages), "interpretation" in s.services) for s in shelters])
        self._services = [frozenset(s.services) for s in shelters]
        self._offers: dict[str, np.ndarray] = {}
        self._reasons: dict[tuple, list[dict[str, str]]] = {}
        self._allowed: dict[tuple, np.ndarray] = {}
        self._fits: dict[tuple, np.ndarray] = {}

    def reasons(self, request: Request) -> list[dict[str, str]]:
        """The person-level reasons, one dict per trait group (index with `trait_of`)."""
        key = person_key(request)
        found = self._reasons.get(key)
        if found is None:
            policy, shelters = self.instance.policy, self.instance.shelters
            found = [profile_reasons(policy, request, shelters[k]) for k in self._trait_firsts]
            self._reasons[key] = found
        return found

    def allowed(self, request: Request) -> np.ndarray:
        """Shelters where no person-level rule excludes the request."""
        key = person_key(request)
        found = self._allowed.get(key)
        if found is None:
            ok = np.array([not r for r in self.reasons(request)], dtype=bool)
            found = self._allowed[key] = ok[self.trait_of] if len(self.trait_of) else ok[:0]
        return found

    def fits(self, request: Request) -> np.ndarray:
        """L2 fit of the request at every shelter: language points plus met needs."""
        key = (frozenset(request.languages), frozenset(request.needs))
        found = self._fits.get(key)
        if found is None:
            shelters = self.instance.shelters
            speech = np.array([language_points(request, shelters[k])
                               for k in self._speech_firsts] or [0], dtype=np.int64)
            found = speech[self.speech_of] if len(self.speech_of) else speech[:0]
            for need in sorted(set(request.needs) - {WHEELCHAIR}):
                found = found + self._offer(need)
            self._fits[key] = found
        return found

    def _offer(self, service: str) -> np.ndarray:
        found = self._offers.get(service)
        if found is None:
            found = self._offers[service] = np.array(
                [service in offered for offered in self._services], dtype=np.int64)
        return found


def distances_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    p1, p2 = math.radians(lat), np.radians(lats)
    dp = p2 - p1
    dl = np.radians(lons) - math.radians(lon)
    a = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))


class Geometry:
    """Shelter points, privacy radii and area municipalities for H6 and L3 over every shelter."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.lats = np.array([s.lat for s in instance.shelters], dtype=float)
        self.lons = np.array([s.lon for s in instance.shelters], dtype=float)
        self.radii = np.array([s.location_radius_km for s in instance.shelters], dtype=float)
        self._towns: dict[str, np.ndarray] = {}

    def _touches(self, municipality: str) -> np.ndarray:
        """Per shelter: does its area touch this municipality?"""
        found = self._towns.get(municipality)
        if found is None:
            found = self._towns[municipality] = np.array(
                [municipality in s.area_towns for s in self.instance.shelters], dtype=bool)
        return found

    def suspects(self, request: Request, threshold: float) -> tuple[np.ndarray, np.ndarray]:
        """(area touches a suspect's municipality, a suspect nearer than `threshold` km plus
        the shelter's privacy radius) per shelter."""
        count = len(self.lats)
        same_town = np.zeros(count, dtype=bool)
        near = np.zeros(count, dtype=bool)
        limits = threshold + self.radii
        for suspect in request.suspects:
            d = distances_km(suspect.lat, suspect.lon, self.lats, self.lons)
            close = d < limits
            for i in np.nonzero(np.abs(d - limits) < _EDGE)[0]:
                shelter = self.instance.shelters[i]
                close[i] = haversine_km(suspect.lat, suspect.lon, shelter.lat,
                                        shelter.lon) < threshold + shelter.location_radius_km
            near |= close
            if suspect.municipality is not None:
                same_town |= self._touches(suspect.municipality)
        return same_town, near

    def suspect_ok(self, request: Request, threshold: float) -> np.ndarray:
        same_town, near = self.suspects(request, threshold)
        return ~(same_town | near)

    def travel(self, request: Request, indices: np.ndarray) -> np.ndarray:
        """L3 (rounded km) from the request's location to the given shelters."""
        loc = request.location
        d = distances_km(loc.lat, loc.lon, self.lats[indices], self.lons[indices]) + 0.5
        out = np.floor(d).astype(np.int64)
        for k in np.nonzero(np.abs(d - np.round(d)) < _EDGE)[0]:
            shelter = self.instance.shelters[int(indices[k])]
            out[k] = rounded_km(haversine_km(loc.lat, loc.lon, shelter.lat, shelter.lon))
        return out


ROOM_OK, ROOM_H5, ROOM_H2, ROOM_H1 = 0, 1, 2, 3


class RoomRules:
    """H1, H2 and H5 of `rules.room_rule_reasons` for a kind of request at every shelter."""

    def __init__(self, instance: Instance):
        rooms = [(s, room) for s, shelter in enumerate(instance.shelters)
                 for room in shelter.rooms]
        self.count = len(instance.shelters)
        self.shelter = np.array([s for s, _ in rooms], dtype=np.int64)
        self.kind = np.array([_KINDS[r.kind] for _, r in rooms], dtype=np.int64)
        self.free = np.array([r.free for _, r in rooms], dtype=np.int64)
        self.family_free = np.array([family_room_free(r) for _, r in rooms], dtype=bool)
        genders = [room_genders(r) for _, r in rooms]
        self.takes = {g: np.array([g in gs for gs in genders], dtype=bool)
                      for g in ("female", "male")}
        self._codes: dict[tuple, np.ndarray] = {}

    def suitable(self, key: tuple) -> np.ndarray:
        """Rooms the kind of request may enter on its own but for beds (H5)."""
        _, family, age_kind, gender = key
        ok = (self.kind == _KINDS["family"]) & self.family_free
        if not family:
            ok = ok | ((self.kind == _KINDS[age_kind]) & self.takes[gender])
        return ok

    def codes(self, key: tuple) -> np.ndarray:
        """Per shelter: ROOM_OK, or the one room rule (H5, H2, H1) that excludes it."""
        found = self._codes.get(key)
        if found is not None:
            return found
        size = key[0]
        suitable = self.suitable(key)
        fitting = suitable & (self.free >= size)
        n = self.count
        any_fit = np.bincount(self.shelter, weights=fitting, minlength=n) > 0
        any_suitable = np.bincount(self.shelter, weights=suitable, minlength=n) > 0
        pooled = np.bincount(self.shelter, minlength=n,
                             weights=self.free * (suitable & (self.kind != _KINDS["family"])))
        found = np.where(pooled >= size, ROOM_H2, ROOM_H1) if size > 1 else \
            np.full(n, ROOM_H1)
        found = np.where(any_suitable, found, ROOM_H5)
        found = np.where(any_fit, ROOM_OK, found).astype(np.int64)
        self._codes[key] = found
        return found


def room_reason(key: tuple, code: int) -> dict[str, str]:
    """The sentence of `rules.room_rule_reasons` for a room code."""
    size, family, age_kind, _ = key
    if code == ROOM_H5:
        if family:
            return {"H5": "H5: this group needs an empty family room and none is free here"}
        return {"H5": f"H5: no {age_kind} room for this group's gender and no empty family "
                      "room here"}
    if code == ROOM_H2:
        return {"H2": f"H2: no single room here can keep the group of {size} together"}
    if code == ROOM_H1:
        return {"H1": f"H1: not enough free beds here for a group of {size}"}
    return {}
