"""The registry's rules for one request against every shelter at once.

Profile rules (H3, H4, H8) and fit depend on a few shelter fields only, so they are evaluated
with the one-pair checks once per distinct combination of the fields the rules declare
("traits") and spread over the shelters with numpy. Room rules (H1, H2, H5) are vectorised over
all rooms. Suspect distances (H6) are vectorised, and any value within a hair of a threshold or a
rounding edge is recomputed with `geo.haversine_km`, so the batch agrees exactly with the
one-pair checks the validator uses. Waived rules (`Request.waived`) are skipped here as there.
"""

from __future__ import annotations

import math

import numpy as np

from .geo import EARTH_RADIUS_KM, haversine_km, rounded_km
from .hard import h1_beds, h2_together, h5_rooms
from .registry import profile_key, profile_reasons, profile_traits, room_key
from .rules import language_points
from .types import Instance, Request
from .vocabulary import GENDERS, ROOM_KINDS, WHEELCHAIR

_EDGE = 1e-6
_KINDS = {kind: k for k, kind in enumerate(ROOM_KINDS)}


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
    """The profile rules and the L2 fit of a request at every shelter, cached per kind of
    request (the fields the rules declare they read)."""

    def __init__(self, instance: Instance):
        self.instance = instance
        shelters = instance.shelters
        self.trait_of, self._trait_firsts = _groups([profile_traits(s) for s in shelters])
        self.speech_of, self._speech_firsts = _groups(
            [(frozenset(s.languages), "interpretation" in s.services) for s in shelters])
        self._services = [frozenset(s.services) for s in shelters]
        self._offers: dict[str, np.ndarray] = {}
        self._reasons: dict[tuple, list[dict[str, str]]] = {}
        self._allowed: dict[tuple, np.ndarray] = {}
        self._fits: dict[tuple, np.ndarray] = {}

    def reasons(self, request: Request) -> list[dict[str, str]]:
        """The profile reasons, one dict per trait group (index with `trait_of`)."""
        key = profile_key(request)
        found = self._reasons.get(key)
        if found is None:
            policy, shelters = self.instance.policy, self.instance.shelters
            found = [profile_reasons(policy, request, shelters[k]) for k in self._trait_firsts]
            self._reasons[key] = found
        return found

    def allowed(self, request: Request) -> np.ndarray:
        """Shelters where no profile rule excludes the request."""
        key = profile_key(request)
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
    """The place rules (H6 on the shelters' areas, H7's excluded shelters) and L3 travel."""

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

    def suspects(self, request: Request) -> tuple[np.ndarray, np.ndarray]:
        """H6 per shelter: (area touches a suspect's municipality, a suspect nearer than the
        policy's distance plus the shelter's privacy radius); none when H6 is waived."""
        count = len(self.lats)
        same_town = np.zeros(count, dtype=bool)
        near = np.zeros(count, dtype=bool)
        if not request.checks("H6"):
            return same_town, near
        threshold = self.instance.policy.min_suspect_distance_km[request.risk]
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

    def kept_apart(self, request: Request) -> np.ndarray:
        """H7 per shelter: a case to keep apart from stays there; none when H7 is waived."""
        found = np.zeros(len(self.lats), dtype=bool)
        if request.checks("H7"):
            for shelter_id in request.exclude_shelters:
                found[self.instance.shelter_index[shelter_id]] = True
        return found

    def place_ok(self, request: Request) -> np.ndarray:
        """Shelters where no place rule (H6, H7) excludes the request."""
        same_town, near = self.suspects(request)
        return ~(same_town | near | self.kept_apart(request))

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
    """`registry.room_reasons` (H5, H2, H1) for a kind of request at every shelter."""

    def __init__(self, instance: Instance):
        rooms = [(s, room) for s, shelter in enumerate(instance.shelters)
                 for room in shelter.rooms]
        self.count = len(instance.shelters)
        self.shelter = np.array([s for s, _ in rooms], dtype=np.int64)
        self.kind = np.array([_KINDS[r.kind] for _, r in rooms], dtype=np.int64)
        self.free = np.array([r.free for _, r in rooms], dtype=np.int64)
        self.family_free = np.array([h5_rooms.family_room_free(r) for _, r in rooms], dtype=bool)
        genders = [h5_rooms.room_genders(r) for _, r in rooms]
        self.takes = {g: np.array([g in gs for gs in genders], dtype=bool) for g in GENDERS}
        self._codes: dict[tuple, np.ndarray] = {}

    def suitable(self, request: Request) -> np.ndarray:
        """Rooms the request may enter on its own but for beds: `h5_rooms.takes`, vectorised."""
        ok = (self.kind == _KINDS["family"]) & self.family_free
        if not request.needs_family_room:
            ok = ok | ((self.kind == _KINDS[request.age_kind]) & self.takes[request.gender])
        return ok

    def codes(self, request: Request) -> np.ndarray:
        """Per shelter: ROOM_OK, or the one room rule (H5, H2, H1) that excludes it."""
        key = room_key(request)
        found = self._codes.get(key)
        if found is not None:
            return found
        size = request.size
        suitable = self.suitable(request)
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


def room_reason(request: Request, code: int) -> dict[str, str]:
    """The room rule's own sentence for a room code."""
    if code == ROOM_H5:
        return {"H5": h5_rooms.shelter_sentence(request)}
    if code == ROOM_H2:
        return {"H2": h2_together.sentence(request)}
    if code == ROOM_H1:
        return {"H1": h1_beds.shelter_sentence(request)}
    return {}
