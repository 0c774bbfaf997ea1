"""Batch preparation: eligible shelters per request and interchangeable room classes.

The rules are those of `rules.py`; this module only evaluates them for many pairs at once. The
rules that depend on who a request is (H3, H4, H8) are evaluated once per request profile and
shelter; the geometric ones (H6 distance, L3 travel) are vectorised with numpy and any value
within a hair of a threshold or a rounding edge is recomputed with `geo.haversine_km`, so the
batch agrees exactly with the one-pair functions the validator uses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .geo import EARTH_RADIUS_KM, haversine_km, rounded_km
from .rules import (
    family_room_free,
    language_points,
    need_points,
    oldest_boy,
    profile_reasons,
    room_genders,
)
from .types import WHEELCHAIR, Instance, Request

_EDGE = 1e-6


@dataclass(frozen=True)
class RoomClass:
    """Rooms of one shelter that are interchangeable: same kind, genders they may take, free beds.

    A family class holds only empty family rooms (one group each); a non-family class holds
    rooms that may each take one gender among `genders`.
    """

    shelter: int
    kind: str
    genders: frozenset[str]
    free: int
    rooms: tuple  # room ids, in the shelter's order

    @property
    def family(self) -> bool:
        return self.kind == "family"

    def admits(self, request: Request) -> bool:
        """Whether a request may enter one of these rooms on its own (H1, H5)."""
        if request.size > self.free:
            return False
        if self.family:
            return True
        return (not request.needs_family_room and self.kind == request.age_kind
                and request.gender in self.genders)


@dataclass
class Candidates:
    """Shelters one request may go to, best first (fit desc, travel asc, shelter order).

    `shelters`, `fits` and `travels` are parallel lists; the classes the request may enter at a
    shelter are `Prepared.admitted[admit_key][shelter]`.
    """

    shelters: list[int]
    fits: list[int]
    travels: list[int]
    admit_key: tuple


@dataclass
class Prepared:
    """Everything the greedy and the models need, computed once per instance."""

    instance: Instance
    priorities: list[int]
    classes: list[RoomClass]
    shelter_classes: list[list[int]]
    candidates: list[Candidates] = field(default_factory=list)
    admitted: dict[tuple, list[tuple[int, ...]]] = field(default_factory=dict)

    def classes_for(self, request_index: int, shelter: int) -> tuple[int, ...]:
        return self.admitted[self.candidates[request_index].admit_key][shelter]


def room_classes(instance: Instance) -> tuple[list[RoomClass], list[list[int]]]:
    classes: list[RoomClass] = []
    per_shelter: list[list[int]] = []
    for s_index, shelter in enumerate(instance.shelters):
        groups: dict[tuple, list] = {}
        for room in shelter.rooms:
            if room.kind == "family":
                if not family_room_free(room) or room.beds == 0:
                    continue
                key = ("family", frozenset(), room.beds)
            else:
                genders = room_genders(room)
                if not genders or room.free <= 0:
                    continue
                key = (room.kind, genders, room.free)
            groups.setdefault(key, []).append(room.id)
        mine = []
        for (kind, genders, free), rooms in groups.items():
            mine.append(len(classes))
            classes.append(RoomClass(s_index, kind, genders, free, tuple(rooms)))
        per_shelter.append(mine)
    return classes, per_shelter


def _profile(request: Request) -> tuple:
    return (request.category, request.risk, tuple(sorted(p.gender for p in request.members)),
            bool(request.accompanying_children), oldest_boy(request), request.unaccompanied,
            WHEELCHAIR in request.needs)


def _distances(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    p1, p2 = math.radians(lat), np.radians(lats)
    dp = p2 - p1
    dl = np.radians(lons) - math.radians(lon)
    a = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(1.0, a)))


class _Geometry:
    def __init__(self, instance: Instance):
        self.instance = instance
        self.lats = np.array([s.lat for s in instance.shelters], dtype=float)
        self.lons = np.array([s.lon for s in instance.shelters], dtype=float)
        self.municipalities = np.array([s.municipality for s in instance.shelters], dtype=object)

    def suspect_ok(self, request: Request, threshold: float) -> np.ndarray:
        ok = np.ones(len(self.lats), dtype=bool)
        for suspect in request.suspects:
            d = _distances(suspect.lat, suspect.lon, self.lats, self.lons)
            near = d < threshold
            for i in np.nonzero(np.abs(d - threshold) < _EDGE)[0]:
                shelter = self.instance.shelters[i]
                near[i] = haversine_km(suspect.lat, suspect.lon, shelter.lat,
                                       shelter.lon) < threshold
            ok &= ~near
            if suspect.municipality is not None:
                ok &= self.municipalities != suspect.municipality
        return ok

    def travel(self, request: Request, indices: np.ndarray) -> list[int]:
        loc = request.location
        d = _distances(loc.lat, loc.lon, self.lats[indices], self.lons[indices]) + 0.5
        out = np.floor(d).astype(np.int64)
        for k in np.nonzero(np.abs(d - np.round(d)) < _EDGE)[0]:
            shelter = self.instance.shelters[int(indices[k])]
            out[k] = rounded_km(haversine_km(loc.lat, loc.lon, shelter.lat, shelter.lon))
        return [int(v) for v in out]


def _admit_key(request: Request) -> tuple:
    return (request.size, request.needs_family_room, request.age_kind, request.gender)


def _fit_table(instance: Instance, request: Request) -> np.ndarray:
    return np.array([language_points(request, s) + need_points(request, s)
                     for s in instance.shelters], dtype=np.int64)


def prepare(instance: Instance) -> Prepared:
    """Eligible (request, shelter, classes) with fit and travel, best shelter first."""
    classes, per_shelter = room_classes(instance)
    policy = instance.policy
    prepared = Prepared(instance, [policy.priority(r) for r in instance.requests], classes,
                        per_shelter)
    geometry = _Geometry(instance)
    profiles: dict[tuple, np.ndarray] = {}
    fits: dict[tuple, np.ndarray] = {}
    for request in instance.requests:
        key = _admit_key(request)
        if key not in prepared.admitted:
            prepared.admitted[key] = [tuple(c for c in mine if classes[c].admits(request))
                                      for mine in per_shelter]
        profile = _profile(request) + (key,)
        if profile not in profiles:
            allowed = [not profile_reasons(policy, request, s) and bool(entry)
                       for s, entry in zip(instance.shelters, prepared.admitted[key], strict=True)]
            profiles[profile] = np.array(allowed, dtype=bool)
        ok = profiles[profile].copy()
        ok &= geometry.suspect_ok(request, policy.min_suspect_distance_km[request.risk])
        for shelter_id in request.exclude_shelters:
            ok[instance.shelter_index[shelter_id]] = False
        indices = np.nonzero(ok)[0]
        wants = (frozenset(request.languages), frozenset(request.needs))
        if wants not in fits:
            fits[wants] = _fit_table(instance, request)
        fit = fits[wants][indices]
        travel = np.array(geometry.travel(request, indices), dtype=np.int64)
        order = np.lexsort((indices, travel, -fit))
        prepared.candidates.append(Candidates(
            indices[order].tolist(), fit[order].tolist(), travel[order].tolist(), key))
    return prepared
