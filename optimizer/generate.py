"""Realistic random instances for tests, demos and the benchmark (deterministic per seed).

Mothers with children (boys near the age limits), unaccompanied minors, mixed-gender groups,
foreign victims speaking ro / ru / uk, suspects near some shelters, keep-apart pairs, wheelchair
users, shelters part full, held and out-of-service beds. The `kosovo` preset uses SPEC §2's
municipalities and its network of 3 thb shelters (one high security) and 5 dv shelters.
"""

from __future__ import annotations

import math
import random

from .vocabulary import GENDERS

KOSOVO = {
    "prishtine": [("prishtine", 42.67, 21.17), ("podujeve", 42.91, 21.19), ("obiliq", 42.69, 21.08),
                  ("fushe-kosove", 42.64, 21.10), ("lipjan", 42.52, 21.13),
                  ("drenas", 42.63, 20.89), ("shtime", 42.43, 21.04),
                  ("gracanice", 42.60, 21.19), ("novoberde", 42.62, 21.43)],
    "mitrovice": [("mitrovice", 42.88, 20.87), ("mitrovice-e-veriut", 42.90, 20.87),
                  ("vushtrri", 42.82, 20.97), ("skenderaj", 42.75, 20.79),
                  ("zubin-potok", 42.91, 20.69), ("zvecan", 42.91, 20.84),
                  ("leposaviq", 43.10, 20.80)],
    "peje": [("peje", 42.66, 20.29), ("istog", 42.78, 20.49), ("kline", 42.62, 20.58),
             ("decan", 42.54, 20.29), ("junik", 42.48, 20.28), ("gjakove", 42.38, 20.43)],
    "prizren": [("prizren", 42.21, 20.74), ("suhareke", 42.36, 20.83), ("malisheve", 42.48, 20.75),
                ("rahovec", 42.40, 20.66), ("dragash", 42.06, 20.65), ("mamushe", 42.33, 20.73)],
    "gjilan": [("gjilan", 42.46, 21.47), ("ferizaj", 42.37, 21.16), ("kamenice", 42.58, 21.58),
               ("viti", 42.32, 21.36), ("kacanik", 42.23, 21.26), ("shterpce", 42.24, 21.03),
               ("hani-i-elezit", 42.15, 21.30), ("ranillug", 42.49, 21.60),
               ("partesh", 42.40, 21.43), ("kllokot", 42.37, 21.38)],
}
LOCAL_LANGUAGES = ("sq", "sr", "ro", "uk", "pl", "de", "fr", "it", "es", "hu", "bg", "el")
FOREIGN = ("ro", "ru", "uk")
SERVICES = ("medical", "psychological", "legal", "interpretation", "education")
FREE_RATIO = {"scarce": 0.6, "normal": 1.2, "ample": 4.0}


class _Towns:
    """Municipalities with a centroid and a local language."""

    def __init__(self, rng: random.Random, shelters: int, preset: str | None):
        if preset == "kosovo":
            self.items = [(name, lat, lon, "sq" if name not in ("mitrovice-e-veriut", "zvecan",
                           "zubin-potok", "leposaviq", "gracanice") else "sr")
                          for towns in KOSOVO.values() for name, lat, lon in towns]
            return
        side = 1.0 + 0.6 * math.sqrt(shelters)
        zones = max(1, min(len(LOCAL_LANGUAGES), round(side / 3)))
        self.items = []
        for k in range(max(6, shelters // 3)):
            lat, lon = 44.0 + rng.uniform(0, side * 0.6), 10.0 + rng.uniform(0, side)
            zone = min(zones - 1, int((lon - 10.0) / side * zones))
            self.items.append((f"m{k}", round(lat, 4), round(lon, 4), LOCAL_LANGUAGES[zone]))

    def pick(self, rng: random.Random):
        return rng.choice(self.items)


def _near(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    bearing, dist = rng.uniform(0, 2 * math.pi), rng.uniform(0, km)
    return (round(lat + dist / 111.0 * math.cos(bearing), 5),
            round(lon + dist / (111.0 * math.cos(math.radians(lat))) * math.sin(bearing), 5))


def _rooms(rng: random.Random, shelter: dict, prefix: str) -> list[dict]:
    rooms = []
    adult_gender = {"women": "female", "men": "male"}.get(shelter["gender_policy"])
    if shelter["accepts_accompanied_children"] or shelter["gender_policy"] == "any":
        for _ in range(rng.randint(1, 3)):
            rooms.append({"kind": "family", "gender": "any", "beds": rng.choice((3, 4, 4, 5))})
    for _ in range(rng.randint(2, 4)):
        gender = adult_gender or rng.choice(("female", "female", "male", "any"))
        rooms.append({"kind": "adult", "gender": gender, "beds": rng.choice((2, 2, 3, 4))})
    if shelter["accepts_unaccompanied_minors"]:
        for _ in range(rng.randint(1, 2)):
            gender = adult_gender or rng.choice(("female", "male", "any"))
            rooms.append({"kind": "minor", "gender": gender, "beds": rng.choice((2, 3))})
    for k, room in enumerate(rooms):
        room.update(id=f"{prefix}-r{k + 1}", occupants=[], held=0)
    return rooms


def _shelter(rng: random.Random, k: int, kind: str, town, high: bool, region_policy=None) -> dict:
    name, lat, lon, language = town
    lat, lon = _near(rng, lat, lon, 4.0)
    if kind == "dv":
        policy = region_policy or rng.choice(("women",) * 6 + ("any",))
    else:
        policy = rng.choice(("women", "women", "women", "any", "any", "men"))
    children = policy != "men" and rng.random() < (0.9 if kind == "dv" else 0.5)
    languages = sorted({language, *(["en"] if rng.random() < 0.5 else []),
                        *([rng.choice(FOREIGN)] if rng.random() < 0.3 else [])})
    shelter = {
        "id": f"s{k + 1}", "kind": kind, "security_level": "high" if high else "standard",
        "lat": lat, "lon": lon, "municipality": name, "gender_policy": policy,
        "accepts_unaccompanied_minors": rng.random() < (0.4 if kind == "thb" else 0.15),
        "accepts_accompanied_children": children,
        "max_accompanying_boy_age": rng.choice((12, 12, 14, 16, None)) if children else None,
        "languages": languages,
        "services": sorted(s for s in SERVICES if rng.random() < 0.5),
        "wheelchair_accessible": rng.random() < 0.4,
    }
    shelter["rooms"] = _rooms(rng, shelter, shelter["id"])
    return shelter


def _shelters(rng: random.Random, count: int, towns: _Towns, preset: str | None) -> list[dict]:
    if preset == "kosovo" and count == 8:
        regions = list(KOSOVO)
        plan = [("thb", KOSOVO["prishtine"][0], True), ("thb", KOSOVO["prizren"][0], False),
                ("thb", KOSOVO["peje"][0], False)]
        plan += [("dv", KOSOVO[region][0], False) for region in regions]
        by_name = {t[0]: t for t in towns.items}
        return [_shelter(rng, k, kind, by_name[town[0]], high, "women" if kind == "dv" else None)
                for k, (kind, town, high) in enumerate(plan)]
    shelters = []
    for k in range(count):
        kind = "thb" if rng.random() < 0.35 else "dv"
        high = kind == "thb" and rng.random() < 0.3
        shelters.append(_shelter(rng, k, kind, towns.pick(rng), high))
    return shelters


def _persons(rng: random.Random) -> list[dict]:
    roll = rng.random()
    woman = {"gender": "female", "age": rng.randint(18, 55), "role": "primary"}
    if roll < 0.36:
        return [woman]
    if roll < 0.62:  # mother with children, boys often near the usual limits
        kids = [{"gender": rng.choice(GENDERS),
                 "age": rng.choice((rng.randint(0, 10), rng.randint(11, 16))), "role": "child"}
                for _ in range(rng.randint(1, 3))]
        return [woman, *kids]
    if roll < 0.70:
        return [{"gender": "male", "age": rng.randint(18, 50), "role": "primary"}]
    if roll < 0.80:
        return [{"gender": rng.choice(GENDERS), "age": rng.randint(13, 17),
                 "role": "primary"}]
    if roll < 0.85:  # unaccompanied siblings
        return [{"gender": rng.choice(GENDERS), "age": rng.randint(12, 17),
                 "role": "primary"},
                {"gender": rng.choice(GENDERS), "age": rng.randint(8, 16),
                 "role": "child"}]
    if roll < 0.90:  # mixed-gender adults (a couple, a father with a grown daughter)
        return [woman, {"gender": "male", "age": rng.randint(18, 60), "role": "adult"}]
    if roll < 0.95:
        return [woman, {"gender": "female", "age": rng.randint(18, 40), "role": "adult"}]
    return [{"gender": "male", "age": rng.randint(25, 55), "role": "primary"},
            {"gender": rng.choice(GENDERS), "age": rng.randint(2, 15), "role": "child"}]


def _request(rng: random.Random, k: int, towns: _Towns, shelters: list[dict]) -> dict:
    name, lat, lon, language = towns.pick(rng)
    lat, lon = _near(rng, lat, lon, 6.0)
    persons = _persons(rng)
    foreign = rng.random() < 0.25
    languages = [rng.choice(FOREIGN)] if foreign else [language]
    if foreign and rng.random() < 0.3:
        languages.append("en")
    needs = [n for n, p in (("psychological", 0.4), ("legal", 0.25), ("medical", 0.2))
             if rng.random() < p]
    if rng.random() < 0.05:
        needs.append("wheelchair")
    if any(p["role"] == "child" for p in persons) and rng.random() < 0.5:
        needs.append("education")
    suspects = []
    for _ in range(rng.choice((0, 0, 1, 1, 1, 2))):
        if rng.random() < 0.15:  # a suspect near some shelter
            target = rng.choice(shelters)
            s_lat, s_lon = _near(rng, target["lat"], target["lon"], 25.0)
            suspects.append({"lat": s_lat, "lon": s_lon, "municipality": None})
        else:
            s_lat, s_lon = _near(rng, lat, lon, 15.0)
            suspects.append({"lat": s_lat, "lon": s_lon,
                             "municipality": name if rng.random() < 0.7 else None})
    return {
        "id": f"q{k + 1}", "category": "thb" if rng.random() < 0.4 else "dv",
        "risk": rng.choices(("low", "medium", "high"), (45, 35, 20))[0],
        "urgency": rng.choices(("routine", "urgent", "emergency"), (50, 35, 15))[0],
        "location": {"lat": lat, "lon": lon}, "persons": persons, "languages": languages,
        "needs": needs, "suspects": suspects, "keep_apart_from": [], "exclude_shelters": [],
    }


def _occupy(rng: random.Random, shelters: list[dict], free_target: int) -> None:
    rooms = [(s, r) for s in shelters for r in s["rooms"]]
    rng.shuffle(rooms)
    free = sum(r["beds"] for _, r in rooms)
    for _, room in rooms:
        if free <= free_target:
            break
        if rng.random() < 0.1:  # out of service (stale or broken)
            room["beds"] -= 1
            free -= 1
            continue
        if room["kind"] == "family":
            size = rng.randint(2, room["beds"])
            mother = {"gender": "female", "age": rng.randint(20, 45), "group": "f1"}
            room["occupants"] = [mother] + [
                {"gender": rng.choice(GENDERS), "age": rng.randint(0, 12), "group": "f1"}
                for _ in range(size - 1)]
            free -= room["beds"]  # a family room in use takes nobody else: all its beds are gone
            continue
        gender = room["gender"] if room["gender"] != "any" else rng.choice(GENDERS)
        take = rng.randint(1, room["beds"])
        adult = room["kind"] == "adult"
        room["occupants"] = [{"gender": gender, "age": rng.randint(18, 50) if adult
                              else rng.randint(12, 17), "group": f"g{i}"} for i in range(take)]
        if take < room["beds"] and rng.random() < 0.2:
            room["held"] = 1
        free -= take + room["held"]
    for _, room in rooms:  # a large network needs a second pass to get as full as asked
        if free <= free_target:
            break
        gap = room["beds"] - len(room["occupants"]) - room["held"]
        if room["kind"] == "family" and (room["occupants"] or room["held"]):
            continue
        if room["occupants"]:
            first = room["occupants"][0]
        else:
            gender = room["gender"] if room["gender"] != "any" else "female"
            first = {"gender": gender, "age": 30 if room["kind"] != "minor" else 15}
        room["occupants"] += [dict(first, group=f"h{i}") for i in range(gap)]
        free -= gap


def generate(shelters: int, requests: int, seed: int, preset: str | None = None,
             variant: str = "normal") -> dict:
    """An instance as the §5 JSON structure; `variant` scarce | normal | ample sets free beds."""
    if variant not in FREE_RATIO:
        raise ValueError(f"variant must be one of {', '.join(FREE_RATIO)}")
    rng = random.Random(seed)
    towns = _Towns(rng, shelters, preset)
    network = _shelters(rng, shelters, towns, preset)
    queue = [_request(rng, k, towns, network) for k in range(requests)]
    for k, request in enumerate(queue):
        if rng.random() < 0.03 and len(queue) > 1:
            other = rng.choice([q for j, q in enumerate(queue) if j != k])
            if other["id"] not in request["keep_apart_from"]:
                request["keep_apart_from"].append(other["id"])
        if rng.random() < 0.03:
            request["exclude_shelters"].append(rng.choice(network)["id"])
    demand = sum(len(q["persons"]) for q in queue)
    _occupy(rng, network, int(demand * FREE_RATIO[variant]))
    return {"policy": {}, "shelters": network, "requests": queue}
