"""Small instances written as the §5 JSON, with every field defaulted to a permissive value."""

from __future__ import annotations

import copy

from optimizer import instance_from_dict


def room(id="r1", kind="adult", gender="any", beds=2, occupants=(), held=0):
    return {"id": id, "kind": kind, "gender": gender, "beds": beds,
            "occupants": [dict(o) for o in occupants], "held": held}


def occupant(gender="female", age=30, group="g1"):
    return {"gender": gender, "age": age, "group": group}


def shelter(id="s1", rooms=None, **over):
    data = {
        "id": id, "kind": "dv", "security_level": "standard", "lat": 42.0, "lon": 21.0,
        "municipality": "town", "gender_policy": "any", "accepts_unaccompanied_minors": True,
        "accepts_accompanied_children": True, "max_accompanying_boy_age": None,
        "languages": ["sq"], "services": [], "wheelchair_accessible": True,
        "rooms": rooms if rooms is not None else [room()],
    }
    data.update(over)
    return data


def person(gender="female", age=30, role="primary"):
    return {"gender": gender, "age": age, "role": role}


def request(id="q1", persons=None, **over):
    data = {
        "id": id, "category": "dv", "risk": "low", "urgency": "routine",
        "location": {"lat": 42.0, "lon": 21.0}, "persons": persons or [person()],
        "languages": ["sq"], "needs": [], "suspects": [], "keep_apart_from": [],
        "exclude_shelters": [],
    }
    data.update(over)
    return data


def instance_dict(shelters, requests, policy=None):
    return copy.deepcopy({"policy": policy or {}, "shelters": shelters, "requests": requests})


def build(shelters, requests, policy=None):
    return instance_from_dict(instance_dict(shelters, requests, policy))


def north_of(lat, km):
    """A latitude `km` north of `lat` on the same meridian (111.19 km per degree)."""
    return lat + km / 111.19492664455873
