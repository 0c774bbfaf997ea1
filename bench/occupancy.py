"""Latency of GET /occupancy, of the page /map (bench.map_page), and the time of the hourly
snapshot job (make bench).

Two networks: the shipped Kosovo one (8 shelters) and a generated one of 2,500 shelters (about
35,000 beds, some occupied or out of service) written straight into the tables. PostgreSQL when
TEST_DATABASE_URL is set (the target: p95 under 100 ms at 2,500 shelters), SQLite otherwise and for
Kosovo. Calls go through the WSGI app in-process as a national coordinator. Results go to
bench/results/occupancy.json.
"""

import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from bench import map_page
from bench.proposals import _app, throwaway_postgres
from placement import clock, jobs
from placement.extensions import db
from placement.models import Bed, Room, Shelter
from placement.services import accounts
from placement.services.network import default_network, load_network, seal_location

CALLS = {"kosovo": int(os.environ.get("BENCH_OCCUPANCY_CALLS", "200")), "generated": 50}
SNAPSHOT_RUNS = 5
GENERATED_SHELTERS = 2500
ROOMS = (("A1", "adult", "female", 4), ("A2", "adult", "female", 3), ("M1", "minor", "female", 2),
         ("F1", "family", "any", 5))


def _geography_only():
    network = default_network()
    return {**network, "shelters": []}


def _generate(count, seed=7):
    """Write `count` shelters with their rooms and beds in bulk (no audit: a bench fixture)."""
    draw = random.Random(seed)
    municipalities = [(m["code"], m["region"], m["lat"], m["lon"])
                      for m in default_network()["municipalities"]]
    moment = clock.now()
    shelters, rooms, beds = [], [], []
    for n in range(1, count + 1):
        municipality, region, lat, lon = draw.choice(municipalities)
        shelters.append({
            "id": n, "code": f"gen-{n}", "name": f"Shelter {n}", "kind": draw.choice(("dv", "thb")),
            "region_code": region, "municipality_code": municipality,
            "location_sealed": seal_location(42.5 + draw.random() / 10, 20.9 + draw.random() / 10),
            # The public area every shelter has since issue 7 (the map draws the anchor).
            "anchor_lat": lat, "anchor_lon": lon, "anchor_set": False, "privacy_radius_km": 3.0,
            "privacy_radius_set": False, "area_municipalities": [municipality],
            "location_disclosure": "municipality", "security_level": "standard",
            "gender_policy": "women", "accepts_unaccompanied_minors": True,
            "accepts_accompanied_children": True, "max_accompanying_boy_age": None,
            "languages": ["sq"], "services": [], "wheelchair_accessible": False,
            "confirmed_at": moment - timedelta(hours=draw.choice((1, 5, 12))),
            "changed_at": moment, "created_at": moment, "version": 1})
        for code, kind, gender, size in ROOMS:
            room_id = len(rooms) + 1
            rooms.append({"id": room_id, "shelter_id": n, "code": code, "kind": kind,
                          "gender": gender})
            occupied = draw.randint(0, size)
            for b in range(size):
                status = "occupied" if b < occupied else draw.choice(
                    ("available",) * 9 + ("out_of_service",))
                person = {"occupant_gender": "female", "occupant_age": 30,
                          "occupant_group": f"g{room_id}"} if status == "occupied" else {
                    "occupant_gender": None, "occupant_age": None, "occupant_group": None}
                beds.append({"id": len(beds) + 1, "room_id": room_id, "code": f"{code}-{b + 1}",
                             "status": status, **person})
    for model, rows in ((Shelter, shelters), (Room, rooms), (Bed, beds)):
        for start in range(0, len(rows), 5000):
            db.session.execute(sa.insert(model), rows[start:start + 5000])
    return len(beds)


def _seed(app, scale):
    with app.app_context():
        upgrade()
        if scale == "kosovo":
            load_network(default_network())
            beds = None
        else:
            load_network(_geography_only())
            beds = _generate(GENERATED_SHELTERS)
        user = accounts.create_user("bench-national", "bench-password-123",
                                    "national_coordinator")
        token, _row = accounts.issue_token(user)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does after a bulk load (since PostgreSQL 13 inserts alone
            # trigger it): fresh planner statistics, and the visibility map that lets counts
            # read an index without visiting the table.
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE")
    return {"Authorization": f"Bearer {token}"}, beds


def _percentiles(timings):
    timings = sorted(timings)
    return {"median_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
            "max_ms": round(timings[-1], 2)}


def _time_snapshots(app):
    timings = []
    with app.app_context():
        for hour in range(SNAPSHOT_RUNS):
            clock.set_offset(timedelta(hours=hour + 1))
            start = time.perf_counter()
            result = jobs.run("snapshot_occupancy")
            timings.append((time.perf_counter() - start) * 1000)
            assert result.outcome == "ok", result
        clock.set_offset(None)
    return _percentiles(timings)


def measure(database, scale, url):
    app = _app(url)
    headers, beds = _seed(app, scale)
    client = app.test_client()
    client.get("/api/v1/occupancy", headers=headers)  # warm up
    timings = []
    for _call in range(CALLS[scale]):
        start = time.perf_counter()
        answer = client.get("/api/v1/occupancy", headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, answer.get_json()
    # The answer pages its shelter list (default page); X-Total-Count counts every shelter.
    shelters = int(answer.headers["X-Total-Count"])
    result = {"database": database, "network": scale, "shelters": shelters, "beds": beds,
              "calls": CALLS[scale], "occupancy": _percentiles(timings),
              "snapshot_job": _time_snapshots(app), "map": map_page.time_map(app, scale)}
    with app.app_context():
        db.engine.dispose()
    return result


def _on_postgres(scale):
    with throwaway_postgres() as url:
        return measure("postgresql", scale, url) if url else None


def main():
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(measure("sqlite", "kosovo", f"sqlite:///{Path(folder) / 'k.db'}"))
        for scale in ("kosovo", "generated"):
            found = _on_postgres(scale)
            if found is None:
                url = f"sqlite:///{Path(folder) / f'{uuid.uuid4().hex}.db'}"
                found = measure("sqlite", scale, url) if scale == "generated" else None
            if found:
                results.append(found)
    sys.stdout.write("\nGET /occupancy (national coordinator) and the snapshot job\n")
    sys.stdout.write(f"{'database':<12}{'network':<11}{'shelters':>9}{'median ms':>11}"
                     f"{'p95 ms':>9}{'snapshot ms':>13}\n")
    for row in results:
        sys.stdout.write(f"{row['database']:<12}{row['network']:<11}{row['shelters']:>9}"
                         f"{row['occupancy']['median_ms']:>11}{row['occupancy']['p95_ms']:>9}"
                         f"{row['snapshot_job']['median_ms']:>13}\n")
    map_page.report(results)
    out = Path(__file__).parent / "results" / "occupancy.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
