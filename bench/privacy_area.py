"""What public areas cost: H6 over-exclusion, and high-risk cases near a region-level shelter.

`python -m bench.privacy_area` (part of `make bench`, never of `make test`) prints:
1. Kosovo: over random exact points (drawn as installs draw them) and the `kosovo` generator's
   requests, how many (shelter, request) pairs H6 excludes by the exact rule and by the area rule
   (anchor + privacy radius, municipalities the area's disk touches by the packaged polygons).
2. Generated networks (`python -m optimizer generate`): the same count, with each shelter's
   town centroid as anchor, R = 4 km (the generator draws shelters within 4 km of it), and the
   towns whose Voronoi cell the disk reaches (found by sampling the disk) as its municipalities.
3. High-risk trafficking cases (thb/high: only the high-security shelter is eligible) with one
   random suspect anywhere in Kosovo: the share that lose the shelter by H6, exact versus area,
   for several region-level radii and for municipality-level disclosure.
Any pair the exact rule excludes and the area rule admits would break the safety claim: the
script counts those too (expected: none).
"""

from __future__ import annotations

import math
import random
import statistics

from optimizer import instance_from_dict
from optimizer.generate import _Towns, generate
from optimizer.hard.h6_suspects import check as h6_suspects
from optimizer.types import Policy
from placement.data.geo import kosovo_municipalities
from placement.geometry import contains, haversine_km, municipality_shapes, touched_by_disk
from placement.services.areas import DEFAULT_RADII_KM
from placement.services.network import default_network

KM_PER_DEGREE = 6371.0 * math.pi / 180
POLICY = Policy()


def _offset(lat, lon, km, bearing):
    return (lat + km * math.cos(bearing) / KM_PER_DEGREE,
            lon + km * math.sin(bearing) / (KM_PER_DEGREE * math.cos(math.radians(lat))))


def _shelter(sid, kind, level, lat, lon, municipality, radius=0.0, area=()):
    return {"id": sid, "kind": kind, "security_level": level, "lat": lat, "lon": lon,
            "municipality": municipality, "gender_policy": "any",
            "accepts_unaccompanied_minors": True, "accepts_accompanied_children": True,
            "max_accompanying_boy_age": None, "languages": [], "services": [],
            "wheelchair_accessible": True, "location_radius_km": radius,
            "area_municipalities": list(area),
            "rooms": [{"id": f"{sid}-r", "kind": "adult", "gender": "any", "beds": 1}]}


def _count(shelters_exact, shelters_area, requests):
    """(pairs, excluded by the exact rule, by the area rule, exact-only: must be 0)."""
    exact = instance_from_dict({"shelters": shelters_exact, "requests": requests})
    area = instance_from_dict({"shelters": shelters_area, "requests": requests})
    pairs = by_exact = by_area = unsafe = 0
    for request in exact.requests:
        for s_exact, s_area in zip(exact.shelters, area.shelters, strict=True):
            pairs += 1
            e = h6_suspects(POLICY, request, s_exact) is not None
            a = h6_suspects(POLICY, request, s_area) is not None
            by_exact += e
            by_area += a
            unsafe += e and not a
    return pairs, by_exact, by_area, unsafe


class Kosovo:
    def __init__(self):
        self.network = default_network()
        self.shapes = municipality_shapes(*kosovo_municipalities())
        self.towns = {m["code"]: m for m in self.network["municipalities"]}
        self.regions = {}
        for m in self.network["municipalities"]:
            self.regions.setdefault(m["region"], []).append(m)

    def anchor(self, entry):
        if entry["location_disclosure"] == "municipality":
            town = self.towns[entry["municipality"]]
            return town["lat"], town["lon"]
        members = self.regions[entry["region"]]
        return (round(sum(m["lat"] for m in members) / len(members), 4),
                round(sum(m["lon"] for m in members) / len(members), 4))

    def shelters(self, rng, radii=None, levels=None):
        """(exact, area) shelter objects: exact points drawn as an install draws them."""
        radii = radii or DEFAULT_RADII_KM
        exact, area = [], []
        for entry in self.network["shelters"]:
            entry = {**entry, "location_disclosure": (levels or {}).get(
                entry["id"], entry["location_disclosure"])}
            town = self.towns[entry["municipality"]]
            lat, lon = _offset(town["lat"], town["lon"], rng.uniform(0.5, 2.95),
                               rng.uniform(0, 2 * math.pi))
            exact.append(_shelter(entry["id"], entry["kind"], entry["security_level"], lat, lon,
                                  entry["municipality"]))
            a_lat, a_lon = self.anchor(entry)
            radius = radii[entry["location_disclosure"]]
            touched = touched_by_disk(self.shapes, a_lat, a_lon, radius)
            label = entry["municipality"] if entry["location_disclosure"] == "municipality" \
                else f"region:{entry['region']}"
            area.append(_shelter(entry["id"], entry["kind"], entry["security_level"], a_lat,
                                 a_lon, label, radius, touched))
        return exact, area

    def random_point(self, rng):
        """A uniform point inside Kosovo, with its municipality."""
        while True:
            lat, lon = rng.uniform(41.85, 43.27), rng.uniform(20.01, 21.79)
            for code, polygons in self.shapes.items():
                if contains(polygons, lat, lon):
                    return lat, lon, code


def kosovo_over_exclusion(kosovo, seeds=5, level=None):
    """Counts over the shelters of one disclosure level (None: all)."""
    keep = {e["id"] for e in kosovo.network["shelters"]
            if level in (None, e["location_disclosure"])}
    rows = []
    for seed in range(seeds):
        rng = random.Random(seed)
        exact, area = kosovo.shelters(rng)
        exact = [s for s in exact if s["id"] in keep]
        area = [s for s in area if s["id"] in keep]
        requests = [{**q, "exclude_shelters": [], "keep_apart_from": []}
                    for q in generate(8, 200, seed, preset="kosovo")["requests"]]
        rows.append(_count(exact, area, requests))
    return rows


def _voronoi_touched(towns, lat, lon, radius, samples=400):
    """Towns whose Voronoi cell a disk reaches, by sampling the disk (rim and inside)."""
    found = set()
    rng = random.Random(0)
    points = [(lat, lon)] + [_offset(lat, lon, radius * math.sqrt(rng.random()),
                                     rng.uniform(0, 2 * math.pi)) for _ in range(samples)]
    points += [_offset(lat, lon, radius, 2 * math.pi * k / 72) for k in range(72)]
    for p_lat, p_lon in points:
        found.add(min(towns, key=lambda t: haversine_km(p_lat, p_lon, t[1], t[2]))[0])
    return sorted(found)


def generated_over_exclusion(seeds=3, shelters=60, requests=300, radius=4.0):
    rows = []
    for seed in range(seeds):
        document = generate(shelters, requests, seed)
        # The generator's towns, re-created as generate() makes them (the file has only names).
        items = _Towns(random.Random(seed), shelters, None).items
        centre = {name: (lat, lon) for name, lat, lon, _ in items}
        area = []
        for s in document["shelters"]:
            lat, lon = centre[s["municipality"]]
            area.append({**s, "lat": lat, "lon": lon, "location_radius_km": radius,
                         "area_municipalities": _voronoi_touched(items, lat, lon, radius)})
        rows.append(_count(document["shelters"], area, document["requests"]))
    return rows


def high_risk_losses(kosovo, trials=2000):
    """Share of thb/high cases with one random suspect that lose the high-security shelter."""
    rng = random.Random(7)
    suspects = [kosovo.random_point(rng) for _ in range(trials)]
    requests = [{"id": f"q{k}", "category": "thb", "risk": "high", "urgency": "urgent",
                 "location": {"lat": 42.67, "lon": 21.17},
                 "persons": [{"gender": "female", "age": 25, "role": "primary"}],
                 "suspects": [{"lat": lat, "lon": lon, "municipality": code}]}
                for k, (lat, lon, code) in enumerate(suspects)]
    variants = [(f"region, R = {r:g} km", {**DEFAULT_RADII_KM, "region": r}, None)
                for r in (35.0, 25.0, 20.0, 15.0)]
    variants.append(("municipality (Lipjan), R = 3 km", DEFAULT_RADII_KM,
                     {"thb-high": "municipality"}))
    rows = []
    for label, radii, levels in variants:
        exact, area = kosovo.shelters(random.Random(1), radii, levels)
        (high_exact,) = [s for s in exact if s["id"] == "thb-high"]
        (high_area,) = [s for s in area if s["id"] == "thb-high"]
        _pairs, lost_exact, lost_area, unsafe = _count([high_exact], [high_area], requests)
        rows.append((label, lost_exact / trials, lost_area / trials, unsafe,
                     len(high_area["area_municipalities"])))
    return rows


def _print_counts(title, rows):
    pairs = sum(r[0] for r in rows)
    exact, area, unsafe = (sum(r[k] for r in rows) for k in (1, 2, 3))
    more = [(r[2] - r[1]) / r[0] for r in rows]
    print(f"{title}: {pairs} shelter-request pairs; H6 excludes {exact} ({exact / pairs:.1%}) by "
          f"the exact rule, {area} ({area / pairs:.1%}) by the area rule: {area - exact} more "
          f"({(area - exact) / max(exact, 1):.0%} over exact; per seed {statistics.mean(more):.1%}"
          f" of pairs); exact-only exclusions (must be 0): {unsafe}")


def main():
    kosovo = Kosovo()
    for level in (None, "municipality", "region"):
        _print_counts(f"Kosovo network ({level or 'all'} shelters), generator's kosovo requests,"
                      " 5 seeds", kosovo_over_exclusion(kosovo, level=level))
    _print_counts("Generated networks (60 shelters, 300 requests, 3 seeds, R = 4 km)",
                  generated_over_exclusion())
    print("High-risk thb cases with one uniformly random suspect in Kosovo (2000 trials):")
    for label, exact, area, unsafe, towns in high_risk_losses(kosovo):
        print(f"  thb-high at {label}: lose it by H6 {exact:.1%} exact, {area:.1%} area "
              f"({towns} municipalities in the area; exact-only: {unsafe})")


if __name__ == "__main__":
    main()
