"""Proposals and holds at 2,500 generated shelters on PostgreSQL (issue 11, item 2).

The network is bench.occupancy's generated one (2,500 shelters, about 35,000 beds). A case
manager opens requests of several shapes; then, through the WSGI app in-process:
GET /placement-requests/{id}/proposals (median, p95, CPU per request, body size); the first
call for requests never asked about before (each a new ranking); the same call right after
the network changed (a hold placed and cancelled elsewhere before each call), and
POST /placement-requests/{id}/holds followed by its cancel (median and p95 of the hold, CPU).
Needs TEST_DATABASE_URL. Results go to bench/results/proposals_scale.json.

    TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \
        .venv/bin/python -m bench.proposals_scale
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

from bench.occupancy import _generate, _geography_only
from bench.proposals import _app, open_requests, throwaway_postgres
from placement.extensions import db
from placement.services import accounts
from placement.services.network import load_network

CALLS = int(os.environ.get("BENCH_SCALE_CALLS", "100"))
HOLDS = int(os.environ.get("BENCH_SCALE_HOLDS", "30"))
NEW_ROUNDS = int(os.environ.get("BENCH_SCALE_NEW_ROUNDS", "8"))  # of len(SHAPES) new requests


def _seed(app):
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        load_network(_geography_only())
        _generate(2500)
        user = accounts.create_user("bench-case", "bench-password-123", "case_manager",
                                    organisation="bench")
        token, _row = accounts.issue_token(user)
        db.session.commit()
        with db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return open_requests(app.test_client(), {"Authorization": f"Bearer {token}"})


def _figures(walls, cpus):
    walls = sorted(walls)
    return {"median_ms": round(statistics.median(walls), 1),
            "p95_ms": round(walls[int(0.95 * (len(walls) - 1))], 1),
            "cpu_ms": round(statistics.mean(cpus), 1)}


def _timed(call):
    wall, cpu = time.perf_counter(), time.process_time()
    answer = call()
    return answer, (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def measure(url):
    # Quotas lifted: the case manager opens a few dozen requests, each with a suspect.
    app = _app(url, QUOTA_OPEN_REQUESTS_PER_ACCOUNT=10_000,
               QUOTA_OPEN_REQUESTS_PER_ORGANISATION=10_000, SUSPECT_CHANGES_PER_DAY=10_000)
    client, headers, request_ids = _seed(app)
    path = "/api/v1/placement-requests/{}/proposals"
    for request_id in request_ids:  # warm up (and fill a cache, where there is one)
        client.get(path.format(request_id), headers=headers)
    walls, cpus, sizes = [], [], []
    for call in range(CALLS):
        answer, wall, cpu = _timed(lambda c=call: client.get(
            path.format(request_ids[c % len(request_ids)]), headers=headers))
        assert answer.status_code == 200, answer.get_json()
        walls.append(wall)
        cpus.append(cpu)
        sizes.append(len(answer.data))
    proposals = {**_figures(walls, cpus), "body_bytes": max(sizes)}
    # The first proposals of requests never asked about: each ranked on the network's ranker.
    walls, cpus = [], []
    for _round in range(NEW_ROUNDS):
        _client, _headers, fresh = open_requests(client, headers)
        for request_id in fresh:
            answer, wall, cpu = _timed(lambda r=request_id: client.get(path.format(r),
                                                                       headers=headers))
            assert answer.status_code == 200, answer.get_json()
            walls.append(wall)
            cpus.append(cpu)
    first = {"calls": len(walls), **_figures(walls, cpus)}
    request_id = request_ids[0]
    options = client.get(path.format(request_id), headers=headers).get_json()["options"]
    walls, cpus = [], []
    for call in range(HOLDS):
        option = options[call % len(options)]
        answer, wall, cpu = _timed(lambda o=option: client.post(
            f"/api/v1/placement-requests/{request_id}/holds", headers=headers,
            json={"shelter_id": o["shelter"]["id"], "room_id": o["room"]}))
        assert answer.status_code == 201, answer.get_json()
        walls.append(wall)
        cpus.append(cpu)
        cancelled = client.post(f"/api/v1/holds/{answer.get_json()['id']}/cancel",
                                headers=headers)
        assert cancelled.status_code == 200, cancelled.get_json()
    hold = {"calls": HOLDS, **_figures(walls, cpus)}
    # Proposals on a network that changed since the last call: a hold placed and cancelled at
    # another request's option before each call (two shelters' versions move each time).
    other = request_ids[1]
    others = client.get(path.format(other), headers=headers).get_json()["options"]
    walls, cpus = [], []
    for call in range(HOLDS):
        option = others[call % len(others)]
        placed = client.post(
            f"/api/v1/placement-requests/{other}/holds", headers=headers,
            json={"shelter_id": option["shelter"]["id"], "room_id": option["room"]})
        assert placed.status_code == 201, placed.get_json()
        client.post(f"/api/v1/holds/{placed.get_json()['id']}/cancel", headers=headers)
        answer, wall, cpu = _timed(lambda: client.get(path.format(request_id), headers=headers))
        assert answer.status_code == 200
        walls.append(wall)
        cpus.append(cpu)
    result = {"shelters": 2500, "calls": CALLS, "proposals": proposals,
              "proposals_new_request": first, "hold": hold,
              "proposals_after_a_change": {"calls": HOLDS, **_figures(walls, cpus)}}
    with app.app_context():
        db.engine.dispose()
    return result


def main():
    with throwaway_postgres() as url:
        if not url:
            sys.stdout.write("bench.proposals_scale needs TEST_DATABASE_URL (PostgreSQL)\n")
            return
        result = measure(url)
    sys.stdout.write("\n2,500 generated shelters, PostgreSQL, in-process, one client\n")
    sys.stdout.write(f"{'':<26}{'median ms':>11}{'p95 ms':>9}{'CPU ms':>9}\n")
    for name in ("proposals", "proposals_new_request", "proposals_after_a_change", "hold"):
        row = result[name]
        sys.stdout.write(f"{name:<26}{row['median_ms']:>11}{row['p95_ms']:>9}"
                         f"{row['cpu_ms']:>9}\n")
    sys.stdout.write(f"proposals body: {result['proposals']['body_bytes']} bytes\n")
    out = Path(__file__).parent / "results" / "proposals_scale.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
