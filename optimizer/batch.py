"""The registry's rules for one request against every shelter at once.

Profile rules (H3, H4, H8) depend on a few shelter fields only, so they are evaluated with the
one-pair checks once per distinct combination of the fields the rules declare ("traits") and
spread over the shelters with numpy. Place and room rules run their own batch form
(`Rule.over_shelters`, next to their one-pair check in `optimizer/hard/`) over the tables built
here: `Geometry` for the place rules, `RoomRules` for the room rules. Those forms agree exactly
with the one-pair checks the validator uses (a test holds them equal). Waived rules
(`Request.waived`) are skipped here as there.
"""

from __future__ import annotations

import copy

import numpy as np

from .geo import distances_km, haversine_km, rounded_km
from .hard import h5_rooms
from .registry import (
    ADMITS,
    FITS,
    PLACE,
    ROOM_ORDER,
    profile_key,
    profile_reasons,
    profile_traits,
    room_key,
)
from .rules import language_points
from .types import Instance, Request
from .vocabulary import WHEELCHAIR

_EDGE = 1e-6


def groups(values: list) -> tuple[np.ndarray, list[int]]:
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
        self.trait_of, self._trait_firsts = groups([profile_traits(s) for s in shelters])
        self.speech_of, self._speech_firsts = groups(
            [(frozenset(s.languages), "interpretation" in s.services) for s in shelters])
        self._services = [frozenset(s.services) for s in shelters]
        self._offers: dict[str, np.ndarray] = {}
        self._reasons: dict[tuple, list[dict[str, str]]] = {}
        self._allowed: dict[tuple, np.ndarray] = {}
        self._speech: dict[frozenset, np.ndarray] = {}
        self._needs: dict[frozenset, np.ndarray] = {}

    def remembered(self) -> int:
        """How many kinds of request this table keeps answers for."""
        return len(self._reasons) + len(self._speech) + len(self._needs)

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
        return self.language(request) + self.needs(request)

    def language(self, request: Request) -> np.ndarray:
        """L2's language points of the request at every shelter."""
        key = frozenset(request.languages)
        found = self._speech.get(key)
        if found is None:
            shelters = self.instance.shelters
            speech = np.array([language_points(request, shelters[k])
                               for k in self._speech_firsts] or [0], dtype=np.int64)
            found = self._speech[key] = speech[self.speech_of] if len(self.speech_of) \
                else speech[:0]
        return found

    def needs(self, request: Request) -> np.ndarray:
        """L2's met needs of the request at every shelter (wheelchair is a hard rule)."""
        key = frozenset(request.needs)
        found = self._needs.get(key)
        if found is None:
            found = np.zeros(len(self.speech_of), dtype=np.int64)
            for need in sorted(key - {WHEELCHAIR}):
                found = found + self._offer(need)
            self._needs[key] = found
        return found

    def _offer(self, service: str) -> np.ndarray:
        found = self._offers.get(service)
        if found is None:
            found = self._offers[service] = np.array(
                [service in offered for offered in self._services], dtype=np.int64)
        return found


class Geometry:
    """The table the place rules (H6, H7) run over, and L3 travel."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.shelters = instance.shelters
        self.index = instance.shelter_index
        self.lats = np.array([s.lat for s in instance.shelters], dtype=float)
        self.lons = np.array([s.lon for s in instance.shelters], dtype=float)
        self.radii = np.array([s.location_radius_km for s in instance.shelters], dtype=float)
        # Per municipality some shelter's area touches: which shelters' areas touch it. Built
        # whole here, so that what a request asks about (a suspect's municipality) leaves no
        # trace in the table.
        towns: dict[str, list[int]] = {}
        for k, shelter in enumerate(self.shelters):
            for town in shelter.area_towns:
                towns.setdefault(town, []).append(k)
        self._towns = {}
        for town, members in towns.items():
            touched = np.zeros(len(self.shelters), dtype=bool)
            touched[members] = True
            self._towns[town] = touched
        self._nowhere = np.zeros(len(self.shelters), dtype=bool)
        self._nowhere.flags.writeable = False
        for touched in self._towns.values():
            touched.flags.writeable = False

    def touches(self, municipality: str) -> np.ndarray:
        """Per shelter: does its area touch this municipality?"""
        return self._towns.get(municipality, self._nowhere)

    def codes(self, request: Request) -> list[np.ndarray]:
        """Per place rule (`registry.PLACE`, in order): its code at every shelter (0: holds,
        and 0 everywhere when the request waives it)."""
        policy = self.instance.policy
        return [rule.over_shelters(self, policy, request) if request.checks(rule.code)
                else np.zeros(len(self.lats), dtype=np.int64) for rule in PLACE]

    def place_ok(self, request: Request) -> np.ndarray:
        """Shelters where no place rule (H6, H7) excludes the request."""
        ok = np.ones(len(self.lats), dtype=bool)
        for codes in self.codes(request):
            ok &= codes == 0
        return ok

    def travel(self, request: Request, indices: np.ndarray) -> np.ndarray:
        """L3 (rounded km) from the request's location to the given shelters."""
        loc = request.location
        d = distances_km(loc.lat, loc.lon, self.lats[indices], self.lons[indices]) + 0.5
        out = np.floor(d).astype(np.int64)
        for k in np.nonzero(np.abs(d - np.round(d)) < _EDGE)[0]:
            shelter = self.instance.shelters[int(indices[k])]
            out[k] = rounded_km(haversine_km(loc.lat, loc.lon, shelter.lat, shelter.lon))
        return out


def _patched(column, rows, values):
    """A copy of a column (an array, or a dict of arrays) with `rows` set to `values`."""
    if isinstance(column, dict):
        return {key: _patched(column[key], rows, values[key]) for key in column}
    patched = column.copy()
    patched[rows] = values
    return patched


class RoomRules:
    """`registry.room_reasons` for a kind of request at every shelter: the table the room
    rules' batch forms run over, one row per room."""

    def __init__(self, instance: Instance):
        rooms = [(s, room) for s, shelter in enumerate(instance.shelters)
                 for room in shelter.rooms]
        self.count = len(instance.shelters)
        self.shelter = np.array([s for s, _ in rooms], dtype=np.int64)
        self.kind = np.array([r.kind for _, r in rooms], dtype="U8")
        self.free = np.array([r.free for _, r in rooms], dtype=np.int64)
        for name, value in h5_rooms.columns([r for _, r in rooms]).items():
            setattr(self, name, value)
        # Each shelter's first row (and, last, the row count).
        self.starts = np.cumsum([0] + [len(s.rooms) for s in instance.shelters])
        self._codes: dict[tuple, np.ndarray] = {}

    def with_rooms_of(self, instance: Instance, changed: list[int]) -> RoomRules | None:
        """The table of `instance`, which differs from this table's instance only in the
        shelters at `changed`: their rows read again, the rest copied. None when one of them
        has another number of rooms (every later row would move): build the table anew."""
        if any(len(instance.shelters[s].rooms) != self.starts[s + 1] - self.starts[s]
               for s in changed):
            return None
        table = copy.copy(self)
        table.forget()
        if not changed:
            return table
        rows = np.concatenate([np.arange(self.starts[s], self.starts[s + 1]) for s in changed])
        rooms = [room for s in changed for room in instance.shelters[s].rooms]
        for name, value in (("kind", [r.kind for r in rooms]), ("free", [r.free for r in rooms]),
                            *h5_rooms.columns(rooms).items()):
            setattr(table, name, _patched(getattr(self, name), rows, value))
        return table

    def forget(self):
        """Drop the answers kept per kind of request."""
        self._codes = {}

    def remembered(self) -> int:
        """How many kinds of request this table keeps answers for."""
        return len(self._codes)

    def codes(self, request: Request) -> np.ndarray:
        """Per shelter: 0 when a room takes the request, else 1 + the index in
        `registry.ROOM_ORDER` of the one room rule that excludes it."""
        key = room_key(request)
        found = self._codes.get(key)
        if found is not None:
            return found
        every = np.ones(len(self.shelter), dtype=bool)
        suitable = ADMITS.room_check(self, request)
        found = np.zeros(self.count, dtype=np.int64)
        for k, (rule, over_suitable) in reversed(list(enumerate(ROOM_ORDER))):
            excluded = rule.over_shelters(self, request, suitable if over_suitable else every)
            found = np.where(excluded, k + 1, found)
        taken = ~FITS.over_shelters(self, request, suitable)
        found = self._codes[key] = np.where(taken, 0, found)
        return found
