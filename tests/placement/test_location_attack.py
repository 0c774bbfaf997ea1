"""The attacks of issue 7, replayed through the API: neither gets closer than the public anchor.

One case manager (suspect limit lifted: the attack may ask as often as it likes):
- trilateration: a request from each of the 38 municipalities; each shelter's travel band from
  each; the attacker's estimate is the middle of every point whose bands agree with all 38;
- H6 probing: a suspect moved by binary search along three bearings until H6 flips; the
  estimate is the centre of the circle through the three flip points.
Both installs (exact points 97% of the radius north, or south, of each anchor) must give the
attacker the same estimate, so one of them is at least 97% of R from it; the figures are printed
to the file STREHA_PRIVACY_FIGURES names, for the report.
"""

import math
import os

import numpy as np
import pytest

from optimizer.batch import distances_km
from optimizer.geo import haversine_km
from placement.services.network import default_network
from placement.services.proposals import TRAVEL_BANDS
from tests.placement.privacy_script import (
    WOMAN,
    exact_points,
    install,
    offset,
    public_anchors,
    run_install,
    shelter_ids,
    travel_probes,
)

BANDS = (*(band for _limit, band in TRAVEL_BANDS), "over 2 hours")
BAND_LIMITS = [limit for limit, _band in TRAVEL_BANDS]


def figure(line):
    """A figure for the report, appended to the file STREHA_PRIVACY_FIGURES names, if any
    (the migrations' logging set-up takes pytest's live log away, so no logger here)."""
    target = os.environ.get("STREHA_PRIVACY_FIGURES")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def trilaterate(saved, towns, shelter_id, high):
    """The middle of the grid points whose travel bands from every town match the answers."""
    lats, lons = np.meshgrid(np.arange(41.8, 43.35, 0.01), np.arange(19.95, 21.85, 0.0125))
    lats, lons = lats.ravel(), lons.ravel()
    misses = np.zeros(len(lats), dtype=int)
    for town in towns:
        name = f"travel_high_{town['code']}" if high else f"travel_{town['code']}"
        bands = {o["travel"] for o in saved[name]["options"] if o["shelter"]["id"] == shelter_id}
        if not bands:
            continue
        (observed,) = bands
        km = np.floor(distances_km(town["lat"], town["lon"], lats, lons) + 0.5)
        misses += np.searchsorted(BAND_LIMITS, km, side="right") != BANDS.index(observed)
    best = misses == misses.min()
    return float(lats[best].mean()), float(lons[best].mean())


@pytest.fixture(scope="module")
def towns():
    return default_network()["municipalities"]


def test_travel_bands_trilaterate_to_the_same_point_whatever_the_exact_location(_database,
                                                                                 towns):
    anchors = public_anchors()
    script = travel_probes([t["code"] for t in towns])
    estimates = {}
    for bearing in (0, 180):
        points = exact_points(bearing)
        _answers, saved = run_install(_database, points, script)
        for code in ("thb-high", "thb-drita", "dv-gjilan"):
            estimate = trilaterate(saved, towns, shelter_ids()[code], high=code == "thb-high")
            estimates.setdefault(code, []).append((estimate, points[code]))
    for code, ((first, true_a), (second, true_b)) in estimates.items():
        assert first == second, code
        radius = anchors[code][2]
        worst = max(haversine_km(*first, *true_a), haversine_km(*first, *true_b))
        from_anchor = haversine_km(*first, *anchors[code][:2])
        figure(f"bands {code}: estimate {from_anchor:.1f} km from the anchor; from the "
                     f"true points {haversine_km(*first, *true_a):.1f} and "
                     f"{haversine_km(*first, *true_b):.1f} km; R = {radius:g} km")
        assert worst >= 0.97 * radius - 0.01


def _h6_flip_km(client, headers, case_id, request_id, shelter_id, anchor, bearing, low, high):
    """Binary search (16 probes) for the suspect distance along `bearing` where H6 lets go."""
    for _ in range(16):
        middle = (low + high) / 2
        lat, lon = offset(*anchor, middle, bearing)
        moved = client.patch(f"/api/v1/cases/{case_id}", headers=headers,
                             json={"suspects": [{"lat": round(lat, 6), "lon": round(lon, 6)}]})
        assert moved.status_code == 200, moved.get_json()
        body = client.get(f"/api/v1/placement-requests/{request_id}/proposals",
                          headers=headers).get_json()
        excluded = any(e["shelter"]["id"] == shelter_id and "H6" in e["rules"]
                       for e in body["excluded"])
        low, high = (middle, high) if excluded else (low, middle)
    return (low + high) / 2


def _circle_centre(points):
    """Centre of the circle through three (lat, lon) points, in a local flat projection."""
    (a_lat, a_lon), (b_lat, b_lon), (c_lat, c_lon) = points
    scale = math.cos(math.radians(a_lat))
    ax, ay, bx, by, cx, cy = (a_lon * scale, a_lat, b_lon * scale, b_lat, c_lon * scale, c_lat)
    d = 2 * (ax * (by - cy) + bx * (cy - ay) + cx * (ay - by))
    a2, b2, c2 = ax**2 + ay**2, bx**2 + by**2, cx**2 + cy**2
    ux = (a2 * (by - cy) + b2 * (cy - ay) + c2 * (ay - by)) / d
    uy = (a2 * (cx - bx) + b2 * (ax - cx) + c2 * (bx - ax)) / d
    return uy, ux / scale


@pytest.mark.parametrize(("code", "category", "risk"),
                         [("thb-high", "thb", "high"), ("dv-gjilan", "dv", "low")])
def test_h6_probing_finds_the_anchor_and_nothing_closer(_database, code, category, risk):
    anchor_lat, anchor_lon, radius = public_anchors()[code]
    estimates = []
    for bearing in (0, 180):
        points = exact_points(bearing)
        with install(_database, points) as (client, headers):
            manager = headers["case_manager"]
            case = client.post("/api/v1/cases", headers=manager, json={
                "category": category, "risk": risk, "persons": WOMAN, "suspects": [],
                "referral_source": "police", "identifying_authority": "police"}).get_json()
            request = client.post("/api/v1/placement-requests", headers=manager, json={
                "case_id": case["id"], "urgency": "urgent",
                "current_municipality": "prishtine"}).get_json()
            shelter_id = shelter_ids()[code]
            # The attacker starts from the public anchor: the best guess before any probe.
            flips = []
            for direction in (10, 130, 250):
                km = _h6_flip_km(client, manager, case["id"], request["id"], shelter_id,
                                 (anchor_lat, anchor_lon), direction, 0.0, 150.0)
                flips.append(offset(anchor_lat, anchor_lon, km, direction))
            estimates.append((_circle_centre(flips), points[code]))
    (first, true_a), (second, true_b) = estimates
    assert first == second
    from_anchor = haversine_km(*first, anchor_lat, anchor_lon)
    to_a, to_b = haversine_km(*first, *true_a), haversine_km(*first, *true_b)
    figure(f"H6 probing {code}: estimate {from_anchor:.2f} km from the anchor; from the "
                 f"true points {to_a:.1f} and {to_b:.1f} km; R = {radius:g} km")
    assert from_anchor < 0.5
    assert min(to_a, to_b) >= 0.9 * radius

