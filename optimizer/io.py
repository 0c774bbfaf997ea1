"""Reading and writing the JSON file format of SPEC §5 (instances and solutions)."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from .types import (
    Instance,
    InstanceError,
    Location,
    Occupant,
    Person,
    Policy,
    Request,
    Room,
    Shelter,
    Solution,
    Suspect,
)

# Fields a file may leave out, with the value they then take.
_OPTIONAL = {
    Occupant: {"group": None},
    Room: {"occupants": [], "held": 0},
    Suspect: {"municipality": None},
    Shelter: {"max_accompanying_boy_age": None, "languages": [], "services": [],
              "location_radius_km": 0.0, "area_municipalities": []},
    Request: {"languages": [], "needs": [], "suspects": [], "keep_apart_from": [],
              "exclude_shelters": [], "waived": []},
}


def _object(cls: type, data: Any, path: str, nested: dict | None = None) -> Any:
    """Build `cls` from a JSON object, refusing unknown and missing fields, naming the path."""
    if not isinstance(data, dict):
        raise InstanceError(path, "must be an object")
    names = [f.name for f in fields(cls)]
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise InstanceError(_join(path, unknown[0]), "unknown field")
    optional = _OPTIONAL.get(cls, {})
    values = {}
    for name in names:
        if name in data:
            value = data[name]
        elif name in optional:
            value = optional[name]
        else:
            raise InstanceError(_join(path, name), "is required")
        if nested and name in nested:
            value = nested[name](value, _join(path, name))
        values[name] = value
    try:
        return cls(**values)
    except InstanceError as error:
        raise error.under(path) from None


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _list(builder, data: Any, path: str) -> list:
    if not isinstance(data, list):
        raise InstanceError(path, "must be a list")
    return [builder(item, f"{path}[{i}]") for i, item in enumerate(data)]


def _occupant(data, path):
    return _object(Occupant, data, path)


def _room(data, path):
    return _object(Room, data, path, {"occupants": lambda v, p: _list(_occupant, v, p)})


def _shelter(data, path):
    return _object(Shelter, data, path, {"rooms": lambda v, p: _list(_room, v, p)})


def _request(data, path):
    return _object(Request, data, path, {
        "location": lambda v, p: _object(Location, v, p),
        "persons": lambda v, p: _list(lambda d, q: _object(Person, d, q), v, p),
        "suspects": lambda v, p: _list(lambda d, q: _object(Suspect, d, q), v, p),
    })


def policy_from_dict(data: Any, path: str = "policy") -> Policy:
    """A policy from partial overrides: each given table replaces that table's given keys."""
    if data is None:
        return Policy()
    if not isinstance(data, dict):
        raise InstanceError(path, "must be an object")
    default = Policy()
    values = {}
    for f in fields(Policy):
        base = dict(getattr(default, f.name))
        override = data.get(f.name, {})
        if not isinstance(override, dict):
            raise InstanceError(_join(path, f.name), "must be an object")
        base.update(override)
        values[f.name] = base
    unknown = sorted(set(data) - set(values))
    if unknown:
        raise InstanceError(_join(path, unknown[0]), "unknown field")
    try:
        return Policy(**values)
    except InstanceError as error:
        raise error.under(path) from None


def instance_from_dict(data: Any) -> Instance:
    """Build and validate an instance from the §5 JSON structure; raises InstanceError."""
    if not isinstance(data, dict):
        raise InstanceError("", "an instance must be a JSON object")
    unknown = sorted(set(data) - {"policy", "shelters", "requests"})
    if unknown:
        raise InstanceError(unknown[0], "unknown field")
    for name in ("shelters", "requests"):
        if name not in data:
            raise InstanceError(name, "is required")
    return Instance(
        policy=policy_from_dict(data.get("policy")),
        shelters=tuple(_list(_shelter, data["shelters"], "shelters")),
        requests=tuple(_list(_request, data["requests"], "requests")),
    )


def requests_from_list(data: Any, path: str = "requests") -> tuple[Request, ...]:
    """The requests of an instance alone (their references are checked by `Instance`)."""
    return tuple(_list(_request, data, path))


def load_instance(path: str | Path) -> Instance:
    """Read an instance file; a file that is not JSON is refused as an InstanceError too."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InstanceError("", f"not valid JSON (line {error.lineno})") from None
    return instance_from_dict(data)


def policy_to_dict(policy: Policy) -> dict:
    return {
        "allowed_kinds": {k: list(v) for k, v in policy.allowed_kinds.items()},
        "min_suspect_distance_km": dict(policy.min_suspect_distance_km),
        "urgency_weights": dict(policy.urgency_weights),
        "risk_weights": dict(policy.risk_weights),
    }


def _plain(obj: Any) -> Any:
    if isinstance(obj, tuple | list):
        return [_plain(v) for v in obj]
    if hasattr(obj, "__dataclass_fields__"):
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}
    return obj


def instance_to_dict(instance: Instance) -> dict:
    """The §5 JSON structure of an instance; `instance_from_dict` reads it back equal."""
    return {
        "policy": policy_to_dict(instance.policy),
        "shelters": [_shelter_dict(s) for s in instance.shelters],
        "requests": [_request_dict(r) for r in instance.requests],
    }


def _shelter_dict(shelter: Shelter) -> dict:
    """A shelter's object; the optional area fields only when set, so old files stay as is."""
    data = _plain(shelter)
    if not shelter.location_radius_km:
        del data["location_radius_km"]
    if not shelter.area_municipalities:
        del data["area_municipalities"]
    return data


def _request_dict(request) -> dict:
    """A request's object; `waived` only when a rule is waived, so old files stay as is."""
    data = _plain(request)
    if not request.waived:
        del data["waived"]
    return data


def solution_to_dict(solution: Solution) -> dict:
    """The §5 JSON structure of a solution (plus `method` and explanation sentences)."""
    return {
        "status": solution.status.value,
        "method": solution.method,
        "objective": _plain(solution.objective),
        "bound": {"priority": solution.bound_priority},
        "wall_time_s": round(solution.wall_time_s, 4),
        "assignments": _plain(solution.assignments),
        "unassigned": _unassigned_dicts(solution.unassigned),
    }


def _unassigned_dicts(unassigned) -> list[dict]:
    """The unplaced requests' objects. An answer at 2,500 shelters holds millions of
    exclusions, most of them one object shared between requests (the batch explanations share
    them): each object becomes one dict, written out wherever it stands."""
    made: dict[int, dict] = {}

    def exclusion(e):
        found = made.get(id(e))
        if found is None:
            found = made[id(e)] = {"shelter": e.shelter, "rules": list(e.rules),
                                   "reasons": list(e.reasons)}
        return found

    return [{"request": u.request, "excluded": [exclusion(e) for e in u.excluded],
             "relaxations": _plain(u.relaxations)} for u in unassigned]


def write_solution(solution: Solution, out, elapsed=None) -> None:
    """Write the solution's §5 JSON text to `out`: compact, and one unplaced request at a time
    (an answer at 2,500 shelters runs past a hundred megabytes). `wall_time_s` comes last:
    `elapsed()`, when given, is read once everything else is written, so that it reports the
    whole command, writing its own answer included."""
    document = solution_to_dict(solution)
    unassigned, wall_time_s = document.pop("unassigned"), document.pop("wall_time_s")
    compact = {"separators": (",", ":")}
    out.write(json.dumps(document, **compact)[:-1] + ',"unassigned":[')
    for k, item in enumerate(unassigned):
        out.write(("," if k else "") + json.dumps(item, **compact))
    if elapsed is not None:
        wall_time_s = round(elapsed(), 4)
    out.write(f'],"wall_time_s":{json.dumps(wall_time_s)}}}\n')
