"""What an optimizer run stores and answers per unplaced request, at 2,500 shelters.

In-process on a throwaway database (PostgreSQL when TEST_DATABASE_URL is set, else SQLite):
bench.api's generated network (BENCH_EXPLAIN_SHELTERS, 2,500 by default), a few requests that
fit somewhere and some that fit nowhere (too many people for any room, a boy over every
shelter's limit; BENCH_EXPLAIN_REPEATS of each, 3 by default), one run over them. Prints the
stored explanation's size per unplaced request (JSON bytes), the run's time, the body and time
of GET /optimizer/runs/{id} (its first page; the body also with limit=500), and the stored size
extrapolated to a 1,000-request run leaving 300 unplaced; writes
bench/results/run_explanations.json.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.api import _generated_geography, _generated_network
from bench.proposals import SHAPES, throwaway_postgres
from bench.runs import _secrets
from placement import create_app
from placement.extensions import db
from placement.models import Proposal
from placement.services import accounts
from placement.services.network import load_network

RESULTS = Path(__file__).parent / "results"
SHELTERS = int(os.environ.get("BENCH_EXPLAIN_SHELTERS", "2500"))
UNPLACED_OF_1000 = 300
CROWD = [{"gender": "female", "age": 30 + k, "role": "primary" if k == 0 else "adult",
          "languages": ["sq"]} for k in range(12)]
BOY = [{"gender": "female", "age": 40, "role": "primary", "languages": ["sq"]},
       {"gender": "male", "age": 17, "role": "child"}]
NOWHERE = [CROWD, BOY]
REPEATS = int(os.environ.get("BENCH_EXPLAIN_REPEATS", "3"))  # of NOWHERE


def _open(client, headers, persons, category, municipality):
    case = client.post("/api/v1/cases", headers=headers, json={
        "category": category, "risk": "medium", "persons": persons, "suspects": [],
        "referral_source": "police", "identifying_authority": "police"})
    assert case.status_code == 201, case.get_json()
    asked = client.post("/api/v1/placement-requests", headers=headers, json={
        "case_id": case.get_json()["id"], "urgency": "urgent",
        "current_municipality": municipality})
    assert asked.status_code == 201, asked.get_json()


def measure(url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **_secrets(),
                      "PASSWORD_HASH_COST": {"time_cost": 1, "memory_cost": 1024},
                      "QUOTA_OPEN_REQUESTS_PER_ACCOUNT": 0,
                      "QUOTA_OPEN_REQUESTS_PER_ORGANISATION": 0,
                      "RUN_QUEUE_IMMEDIATE": True})  # the run solves inside the POST
    with app.app_context():
        upgrade()
        load_network(_generated_geography(SHELTERS))
        _generated_network(SHELTERS)
        case_manager = accounts.create_user("bench-case", "bench-password-123", "case_manager",
                                            organisation="bench")
        national = accounts.create_user("bench-national", "bench-password-123",
                                        "national_coordinator")
        case = {"Authorization": f"Bearer {accounts.issue_token(case_manager)[0]}"}
        coordinator = {"Authorization": f"Bearer {accounts.issue_token(national)[0]}"}
        db.session.commit()
        town = db.session.scalar(sa.text("SELECT code FROM municipalities ORDER BY code"))
    client = app.test_client()
    for index, persons in enumerate(SHAPES + NOWHERE * REPEATS):
        _open(client, case, persons, "thb" if index % 2 else "dv", town)
    started = time.perf_counter()
    run = client.post("/api/v1/optimizer/runs", json={"time_limit": 30}, headers=coordinator)
    run_s = time.perf_counter() - started
    assert run.status_code == 202, run.get_json()
    run_id = run.get_json()["id"]
    with app.app_context():
        explanations = list(db.session.scalars(
            sa.select(Proposal.explanation).where(Proposal.run_id == run_id,
                                                  Proposal.shelter_id.is_(None))))
        stored = [len(json.dumps(explanation)) for explanation in explanations]
        db.engine.dispose()
    started = time.perf_counter()
    first = client.get(f"/api/v1/optimizer/runs/{run_id}", headers=coordinator)
    get_ms = (time.perf_counter() - started) * 1000
    whole = client.get(f"/api/v1/optimizer/runs/{run_id}?limit=500", headers=coordinator)
    per = statistics.median(stored)
    return {
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "shelters": SHELTERS, "requests": run.get_json()["summary"]["requests"],
        "unplaced": len(stored),
        "stored_bytes_per_unplaced": {"median": per, "max": max(stored)},
        "relaxations_per_unplaced": max(e.get("relaxations_total", len(e["relaxations"]))
                                        for e in explanations),
        "run_s": round(run_s, 1),
        "get_ms": round(get_ms, 1),
        "get_body_bytes": len(first.get_data()),
        "get_body_bytes_limit_500": (len(whole.get_data()) if whole.status_code == 200
                                     else f"status {whole.status_code}"),
        "stored_bytes_1000_request_run": int(per * UNPLACED_OF_1000),
    }


def main():
    with throwaway_postgres() as url:
        if url is None:
            with tempfile.TemporaryDirectory() as folder:
                result = measure(f"sqlite:///{Path(folder) / 'bench.db'}")
        else:
            result = measure(url)
    json.dump(result, sys.stdout, indent=2)
    print()
    (RESULTS / "run_explanations.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
