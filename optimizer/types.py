"""Frozen dataclasses for a placement instance and its solution, validated on construction.

Instance side: `Policy`, `Occupant`, `Room`, `Shelter`, `Person`, `Suspect`, `Location`, `Request`,
`Instance`. Result side: `Status`, `Assignment`, `Exclusion`, `Relaxation`, `Unassigned`,
`Objective`, `Solution`. A value that breaks the contract of SPEC §5 raises `InstanceError`, whose
message starts with the path of the offending value (`requests[3].persons[1].age: must be 0..120`).
Ids are strings or integers, kept as given.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .hard.h3_kind import DEFAULT_ALLOWED_KINDS, kind_problem
from .hard.h7_apart import partners as h7_partners
from .vocabulary import (
    CATEGORIES,
    GENDER_POLICIES,
    GENDERS,
    RISKS,
    ROLES,
    ROOM_GENDERS,
    ROOM_KINDS,
    SECURITY_LEVELS,
    SHELTER_KINDS,
    URGENCIES,
    WHEELCHAIR,
    is_adult,
)

DEFAULT_MIN_SUSPECT_DISTANCE_KM = {"low": 10.0, "medium": 20.0, "high": 30.0}
DEFAULT_URGENCY_WEIGHTS = {"routine": 1, "urgent": 2, "emergency": 4}
DEFAULT_RISK_WEIGHTS = {"low": 1, "medium": 2, "high": 3}

Id = str | int


class InstanceError(ValueError):
    """A value breaks the instance contract; `path` names it, `problem` says what is wrong."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)

    def under(self, prefix: str) -> InstanceError:
        """The same error seen from an enclosing object at `prefix`."""
        if not self.path:
            return InstanceError(prefix, self.problem)
        joiner = "" if self.path.startswith("[") else "."
        return InstanceError(f"{prefix}{joiner}{self.path}", self.problem)


# --- small validators -------------------------------------------------------------------------

def _enum(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in allowed:
        raise InstanceError(name, f"must be one of {', '.join(allowed)}")


def _int(name: str, value: Any, lo: int, hi: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InstanceError(name, "must be an integer")
    if value < lo or (hi is not None and value > hi):
        raise InstanceError(name, f"must be {lo}..{hi}" if hi is not None else f"must be >= {lo}")


def _bool(name: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise InstanceError(name, "must be true or false")


def _number(name: str, value: Any, lo: float, hi: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise InstanceError(name, f"must be a number in {lo:g}..{hi:g}")


def _id(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise InstanceError(name, "must be a non-empty string or an integer")


def _codes(name: str, values: Any) -> tuple[str, ...]:
    if not isinstance(values, list | tuple):
        raise InstanceError(name, "must be a list")
    for i, value in enumerate(values):
        if not isinstance(value, str) or not value:
            raise InstanceError(f"{name}[{i}]", "must be a non-empty string")
    return tuple(values)


def _ids(name: str, values: Any) -> tuple[Id, ...]:
    if not isinstance(values, list | tuple):
        raise InstanceError(name, "must be a list")
    for i, value in enumerate(values):
        _id(f"{name}[{i}]", value)
    if len(set(values)) != len(values):
        raise InstanceError(name, "lists an id twice")
    return tuple(values)


def _items(name: str, values: Any, cls: type) -> tuple:
    if not isinstance(values, list | tuple):
        raise InstanceError(name, "must be a list")
    for i, value in enumerate(values):
        if not isinstance(value, cls):
            raise InstanceError(f"{name}[{i}]", f"must be a {cls.__name__}")
    return tuple(values)


def _set(obj: Any, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


# --- instance ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Policy:
    """The changeable rule data of SPEC §3/§4.

    `allowed_kinds` maps "category/risk" to the shelters allowed, each "kind" or "kind/security"
    (e.g. "thb/high" = a thb shelter with security_level high). Weights are integers; distances km.
    """

    allowed_kinds: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: dict(DEFAULT_ALLOWED_KINDS))
    min_suspect_distance_km: dict[str, float] = field(
        default_factory=lambda: dict(DEFAULT_MIN_SUSPECT_DISTANCE_KM))
    urgency_weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_URGENCY_WEIGHTS))
    risk_weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_RISK_WEIGHTS))

    def __post_init__(self):
        kinds = {}
        for key, value in dict(self.allowed_kinds).items():
            category, _, risk = str(key).partition("/")
            if category not in CATEGORIES or risk not in RISKS:
                raise InstanceError(f"allowed_kinds.{key}", "key must be category/risk")
            specs = _codes(f"allowed_kinds.{key}", value)
            for i, spec in enumerate(specs):
                problem = kind_problem(spec)
                if problem:
                    raise InstanceError(f"allowed_kinds.{key}[{i}]", problem)
            kinds[key] = specs
        for category in CATEGORIES:
            for risk in RISKS:
                if f"{category}/{risk}" not in kinds:
                    raise InstanceError("allowed_kinds", f"misses {category}/{risk}")
        _set(self, "allowed_kinds", kinds)
        _set(self, "min_suspect_distance_km",
             self._table("min_suspect_distance_km", self.min_suspect_distance_km, RISKS, float))
        _set(self, "urgency_weights",
             self._table("urgency_weights", self.urgency_weights, URGENCIES, int))
        _set(self, "risk_weights", self._table("risk_weights", self.risk_weights, RISKS, int))

    @staticmethod
    def _table(name: str, table: Any, keys: tuple[str, ...], kind: type) -> dict:
        table = dict(table)
        if set(table) != set(keys):
            raise InstanceError(name, f"must have exactly the keys {', '.join(keys)}")
        for key in keys:
            if kind is int:
                _int(f"{name}.{key}", table[key], 0, 1000)
            else:
                _number(f"{name}.{key}", table[key], 0, 20000)
                table[key] = float(table[key])
        return {key: table[key] for key in keys}

    def priority(self, request: Request) -> int:
        """L1 weight of a request: urgency weight times risk weight."""
        return self.urgency_weights[request.urgency] * self.risk_weights[request.risk]


@dataclass(frozen=True)
class Occupant:
    """A person already in a room: a profile, never an identity. `group` ties one family."""

    gender: str
    age: int
    group: Id | None = None

    def __post_init__(self):
        _enum("gender", self.gender, GENDERS)
        _int("age", self.age, 0, 120)
        if self.group is not None:
            _id("group", self.group)


@dataclass(frozen=True)
class Room:
    """A room; `beds` counts beds in service, `held` beds held outside this instance."""

    id: Id
    kind: str
    gender: str
    beds: int
    occupants: tuple[Occupant, ...] = ()
    held: int = 0

    def __post_init__(self):
        _id("id", self.id)
        _enum("kind", self.kind, ROOM_KINDS)
        _enum("gender", self.gender, ROOM_GENDERS)
        _int("beds", self.beds, 0, 1000)
        _set(self, "occupants", _items("occupants", self.occupants, Occupant))
        _int("held", self.held, 0, 1000)
        if len(self.occupants) + self.held > self.beds:
            raise InstanceError("occupants", "occupants plus held beds exceed beds")

    @property
    def free(self) -> int:
        """Beds in service that are neither occupied nor held."""
        return self.beds - len(self.occupants) - self.held


@dataclass(frozen=True)
class Shelter:
    """A shelter with its policy, its staff's languages and services, and its rooms."""

    id: Id
    kind: str
    security_level: str
    lat: float
    lon: float
    municipality: str
    gender_policy: str
    accepts_unaccompanied_minors: bool
    accepts_accompanied_children: bool
    max_accompanying_boy_age: int | None
    languages: tuple[str, ...]
    services: tuple[str, ...]
    wheelchair_accessible: bool
    rooms: tuple[Room, ...]
    # The public area (optional): lat/lon is then its anchor, the true point lies within
    # `location_radius_km` of it, and the area touches `area_municipalities` (default: the
    # shelter's own municipality). H6 is judged on the whole area (SPEC §3).
    location_radius_km: float = 0.0
    area_municipalities: tuple[str, ...] = ()

    def __post_init__(self):
        _id("id", self.id)
        _enum("kind", self.kind, SHELTER_KINDS)
        _enum("security_level", self.security_level, SECURITY_LEVELS)
        _number("lat", self.lat, -90, 90)
        _number("lon", self.lon, -180, 180)
        if not isinstance(self.municipality, str) or not self.municipality:
            raise InstanceError("municipality", "must be a non-empty string")
        _enum("gender_policy", self.gender_policy, GENDER_POLICIES)
        _bool("accepts_unaccompanied_minors", self.accepts_unaccompanied_minors)
        _bool("accepts_accompanied_children", self.accepts_accompanied_children)
        if self.max_accompanying_boy_age is not None:
            _int("max_accompanying_boy_age", self.max_accompanying_boy_age, 0, 120)
        _set(self, "languages", _codes("languages", self.languages))
        _set(self, "services", _codes("services", self.services))
        _bool("wheelchair_accessible", self.wheelchair_accessible)
        _number("location_radius_km", self.location_radius_km, 0, 1000)
        _set(self, "area_municipalities", _towns(self.area_municipalities))
        _set(self, "rooms", _items("rooms", self.rooms, Room))
        seen = set()
        for i, room in enumerate(self.rooms):
            if room.id in seen:
                raise InstanceError(f"rooms[{i}].id", f"duplicate room id {room.id!r}")
            seen.add(room.id)

    @cached_property
    def area_towns(self) -> frozenset[str]:
        """Municipalities H6 treats as the shelter's: those its area touches."""
        return frozenset(self.area_municipalities or (self.municipality,))

    @property
    def has_area(self) -> bool:
        return self.location_radius_km > 0 or bool(self.area_municipalities)


def _towns(values: Any) -> tuple[str, ...]:
    if not isinstance(values, list | tuple) or not all(
            isinstance(v, str) and v for v in values):
        raise InstanceError("area_municipalities", "must be a list of non-empty strings")
    return tuple(values)


@dataclass(frozen=True)
class Location:
    """A point (the request's current location)."""

    lat: float
    lon: float

    def __post_init__(self):
        _number("lat", self.lat, -90, 90)
        _number("lon", self.lon, -180, 180)


@dataclass(frozen=True)
class Suspect:
    """A known suspect location; `municipality` is None when unknown."""

    lat: float
    lon: float
    municipality: str | None = None

    def __post_init__(self):
        _number("lat", self.lat, -90, 90)
        _number("lon", self.lon, -180, 180)
        if self.municipality is not None and (
                not isinstance(self.municipality, str) or not self.municipality):
            raise InstanceError("municipality", "must be a non-empty string or null")


@dataclass(frozen=True)
class Person:
    """A person of a request: gender, age in years, role primary | adult | child."""

    gender: str
    age: int
    role: str

    def __post_init__(self):
        _enum("gender", self.gender, GENDERS)
        _int("age", self.age, 0, 120)
        _enum("role", self.role, ROLES)


@dataclass(frozen=True)
class Request:
    """A placement request: one group that must stay together (H2).

    Derived words of SPEC §3: `unaccompanied` (every person under 18), `accompanying_children`
    (role child in a request with an adult), `members` (everyone else), `needs_family_room`.
    """

    id: Id
    category: str
    risk: str
    urgency: str
    location: Location
    persons: tuple[Person, ...]
    languages: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    suspects: tuple[Suspect, ...] = ()
    keep_apart_from: tuple[Id, ...] = ()
    exclude_shelters: tuple[Id, ...] = ()
    # Rules a coordinator waived for this request (SPEC §3 overrides): the data stays as it is
    # and every check (ranking, batch, validator) skips these rules for this request alone.
    waived: tuple[str, ...] = ()

    def __post_init__(self):
        _id("id", self.id)
        _enum("category", self.category, CATEGORIES)
        _enum("risk", self.risk, RISKS)
        _enum("urgency", self.urgency, URGENCIES)
        if not isinstance(self.location, Location):
            raise InstanceError("location", "must be a Location")
        _set(self, "persons", _items("persons", self.persons, Person))
        if not self.persons:
            raise InstanceError("persons", "must not be empty")
        if sum(p.role == "primary" for p in self.persons) != 1:
            raise InstanceError("persons", "must have exactly one person with role primary")
        _set(self, "languages", _codes("languages", self.languages))
        _set(self, "needs", _codes("needs", self.needs))
        _set(self, "suspects", _items("suspects", self.suspects, Suspect))
        _set(self, "keep_apart_from", _ids("keep_apart_from", self.keep_apart_from))
        _set(self, "exclude_shelters", _ids("exclude_shelters", self.exclude_shelters))
        if self.id in self.keep_apart_from:
            raise InstanceError("keep_apart_from", "a request cannot be kept apart from itself")
        _set(self, "waived", _waivers(self.waived))

    def checks(self, code: str) -> bool:
        """Whether rule `code` applies to this request (not waived by a coordinator)."""
        return code not in self.waived

    @cached_property
    def unaccompanied(self) -> bool:
        return not any(is_adult(p.age) for p in self.persons)

    @cached_property
    def accompanying_children(self) -> tuple[Person, ...]:
        if self.unaccompanied:
            return ()
        return tuple(p for p in self.persons if p.role == "child")

    @cached_property
    def members(self) -> tuple[Person, ...]:
        if self.unaccompanied:
            return self.persons
        return tuple(p for p in self.persons if p.role != "child")

    @cached_property
    def member_genders(self) -> frozenset[str]:
        return frozenset(p.gender for p in self.members)

    @cached_property
    def oldest_accompanying_boy(self) -> int | None:
        ages = [p.age for p in self.accompanying_children if p.gender == "male"]
        return max(ages) if ages else None

    @property
    def has_accompanying_children(self) -> bool:
        return bool(self.accompanying_children)

    @property
    def needs_wheelchair(self) -> bool:
        return WHEELCHAIR in self.needs

    @cached_property
    def genders(self) -> frozenset[str]:
        return frozenset(p.gender for p in self.persons)

    @property
    def gender(self) -> str | None:
        """The one gender of all persons, or None for a mixed group."""
        return next(iter(self.genders)) if len(self.genders) == 1 else None

    @property
    def size(self) -> int:
        return len(self.persons)

    @property
    def needs_family_room(self) -> bool:
        return bool(self.accompanying_children) or len(self.genders) > 1

    @property
    def age_kind(self) -> str:
        """The non-family room kind this request may take: minor or adult."""
        return "minor" if self.unaccompanied else "adult"


def _waivers(values: Any) -> tuple[str, ...]:
    """Waived rule codes: each one a coordinator may override, once, in the registry's order."""
    from .registry import OVERRIDABLE  # the registry's rules import these types

    codes = _codes("waived", values)
    for i, code in enumerate(codes):
        if code not in OVERRIDABLE:
            raise InstanceError(f"waived[{i}]", "must be a rule a coordinator may override: "
                                                f"{', '.join(OVERRIDABLE)}")
    if len(set(codes)) != len(codes):
        raise InstanceError("waived", "lists a rule twice")
    return tuple(sorted(codes))


@dataclass(frozen=True)
class Instance:
    """Everything one solve sees: the policy, the shelters and their rooms, the queue."""

    shelters: tuple[Shelter, ...]
    requests: tuple[Request, ...]
    policy: Policy = field(default_factory=Policy)

    def __post_init__(self):
        if not isinstance(self.policy, Policy):
            raise InstanceError("policy", "must be a Policy")
        _set(self, "shelters", _items("shelters", self.shelters, Shelter))
        _set(self, "requests", _items("requests", self.requests, Request))
        shelter_ids = _unique_ids("shelters", self.shelters)
        request_ids = _unique_ids("requests", self.requests)
        for i, request in enumerate(self.requests):
            for j, other in enumerate(request.keep_apart_from):
                if other not in request_ids:
                    raise InstanceError(f"requests[{i}].keep_apart_from[{j}]",
                                        f"unknown request {other!r}")
            for j, shelter in enumerate(request.exclude_shelters):
                if shelter not in shelter_ids:
                    raise InstanceError(f"requests[{i}].exclude_shelters[{j}]",
                                        f"unknown shelter {shelter!r}")

    @cached_property
    def shelter_index(self) -> dict[Id, int]:
        return {s.id: i for i, s in enumerate(self.shelters)}

    @cached_property
    def request_index(self) -> dict[Id, int]:
        return {r.id: i for i, r in enumerate(self.requests)}

    def shelter(self, shelter_id: Id) -> Shelter:
        return self.shelters[self.shelter_index[shelter_id]]

    def request(self, request_id: Id) -> Request:
        try:
            return self.requests[self.request_index[request_id]]
        except KeyError:
            raise KeyError(f"unknown request {request_id!r}") from None

    @cached_property
    def keep_apart(self) -> dict[Id, frozenset[Id]]:
        """H7 partners of each request (`h7_apart.partners`)."""
        return h7_partners(self)


def _unique_ids(name: str, items: tuple) -> set:
    seen: set = set()
    for i, item in enumerate(items):
        if item.id in seen:
            raise InstanceError(f"{name}[{i}].id", f"duplicate id {item.id!r}")
        seen.add(item.id)
    return seen


# --- solution ---------------------------------------------------------------------------------

class Status(enum.Enum):
    """How good a solution is: proven optimal, valid but unproven, or nothing found."""

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    NO_SOLUTION = "no_solution"


@dataclass(frozen=True)
class Assignment:
    """One request placed in one room of one shelter."""

    request: Id
    shelter: Id
    room: Id


@dataclass(frozen=True)
class Exclusion:
    """A shelter ruled out for a request: rule codes ("H1".."H8") and one sentence per rule.

    The sentences state the rule and its threshold, never a distance to the shelter.
    """

    shelter: Id
    rules: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Relaxation:
    """A checked single change that would make the request placeable at `shelter`.

    `parameter` names what changes: "min_suspect_distance_km.<risk>" (policy),
    "max_accompanying_boy_age" (the shelter's) or "beds" (of `room`); `current` -> `relaxed`.
    """

    rule: str
    shelter: Id
    parameter: str
    current: float | int | None
    relaxed: float | int
    message: str
    room: Id | None = None


@dataclass(frozen=True)
class Unassigned:
    """A request left unplaced, why every shelter is excluded, and what would place it."""

    request: Id
    excluded: tuple[Exclusion, ...]
    relaxations: tuple[Relaxation, ...]


@dataclass(frozen=True)
class Objective:
    """L1 priority (max), L2 fit (max), L3 travel_km (min) of one solution."""

    priority: int
    fit: int
    travel_km: int


@dataclass(frozen=True)
class Solution:
    """A solve's answer; `bound_priority` is a proven upper bound on L1, or None."""

    status: Status
    objective: Objective
    bound_priority: int | None
    wall_time_s: float
    assignments: tuple[Assignment, ...]
    unassigned: tuple[Unassigned, ...]
    method: str = "cpsat"
