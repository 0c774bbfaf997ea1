"""Latency of GET /placement-requests/{id}/proposals on the Kosovo network (make bench).

Builds a throwaway SQLite database (and a PostgreSQL one when TEST_DATABASE_URL is set), loads
the shipped network, opens requests of several shapes, and times the endpoint through the WSGI
app in-process: median and 95th percentile over many calls. Results go to bench/results/.
"""

import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from placement import create_app
from placement.config import normalise_database_url
from placement.crypto import new_key
from placement.extensions import db
from placement.services import accounts
from placement.services.network import default_network, load_network

CALLS = int(os.environ.get("BENCH_PROPOSAL_CALLS", "200"))
SHAPES = [
    [{"gender": "female", "age": 29, "role": "primary", "languages": ["sq"]}],
    [{"gender": "female", "age": 33, "role": "primary", "languages": ["ro"]},
     {"gender": "male", "age": 11, "role": "child"},
     {"gender": "female", "age": 7, "role": "child"}],
    [{"gender": "female", "age": 16, "role": "primary", "languages": ["uk"]}],
    [{"gender": "male", "age": 24, "role": "primary", "languages": ["en"], "needs": ["medical"]}],
]


def _app(url, **extra):
    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": uuid.uuid4().hex,
              "ENCRYPTION_KEYS": f"k1:{new_key()}", "ENCRYPTION_KEY_ID": "k1",
              "AUDIT_HMAC_KEY": uuid.uuid4().hex, **extra}
    return create_app(config)


def _seed(app):
    with app.app_context():
        upgrade()
        load_network(default_network())
        user = accounts.create_user("bench-case", "bench-password-123", "case_manager",
                                    organisation="bench")
        token, _row = accounts.issue_token(user)
        db.session.commit()
    return open_requests(app.test_client(), {"Authorization": f"Bearer {token}"})


def spread_requests(client, headers, count, places):
    """`count` cases and open requests, their shapes in turn from SHAPES, each from a
    municipality of `places` drawn with seed 11; stops the bench if one is refused."""
    rng, request_ids = random.Random(11), []
    for index in range(count):
        case = client.post("/api/v1/cases", headers=headers, json={
            "category": "thb" if index % 2 else "dv", "risk": "medium",
            "persons": SHAPES[index % len(SHAPES)], "suspects": [],
            "referral_source": "police", "identifying_authority": "police"}).get_json()
        answer = client.post("/api/v1/placement-requests", headers=headers, json={
            "case_id": case["id"], "urgency": "urgent",
            "current_municipality": rng.choice(places)})
        if answer.status_code != 201:
            sys.exit(f"seeding request {index} refused: {answer.status_code} {answer.get_json()}")
        request_ids.append(answer.get_json()["id"])
    return request_ids


def open_requests(client, headers):
    """One case and open request per shape in SHAPES: (client, headers, request ids)."""
    request_ids = []
    for index, persons in enumerate(SHAPES):
        case = client.post("/api/v1/cases", headers=headers, json={
            "category": "thb" if index % 2 else "dv", "risk": "medium", "persons": persons,
            "suspects": [{"municipality": "gjilan"}], "referral_source": "police",
            "identifying_authority": "police"}).get_json()
        request = client.post("/api/v1/placement-requests", headers=headers, json={
            "case_id": case["id"], "urgency": "urgent",
            "current_municipality": "prishtine"}).get_json()
        request_ids.append(request["id"])
    return client, headers, request_ids


def measure(label, url):
    app = _app(url)
    client, headers, request_ids = _seed(app)
    for request_id in request_ids:  # warm up
        client.get(f"/api/v1/placement-requests/{request_id}/proposals", headers=headers)
    timings = []
    for call in range(CALLS):
        request_id = request_ids[call % len(request_ids)]
        start = time.perf_counter()
        answer = client.get(f"/api/v1/placement-requests/{request_id}/proposals", headers=headers)
        timings.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200, answer.get_json()
    timings.sort()
    result = {
        "database": label, "calls": CALLS,
        "median_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "max_ms": round(timings[-1], 2),
    }
    with app.app_context():
        db.engine.dispose()
    return result


@contextmanager
def throwaway_postgres():
    """The URL of a new PostgreSQL database on TEST_DATABASE_URL's server, dropped on exit
    (None when TEST_DATABASE_URL is not set)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield None
        return
    base_url = sa.make_url(normalise_database_url(base))
    name = f"streha_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield base_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def main():
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(measure("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}"))
    with throwaway_postgres() as url:
        if url:
            results.append(measure("postgresql", url))
    sys.stdout.write(f"\nGET /placement-requests/{{id}}/proposals, Kosovo network, {CALLS} calls\n")
    sys.stdout.write(f"{'database':<12}{'median ms':>12}{'p95 ms':>10}{'max ms':>10}\n")
    for row in results:
        sys.stdout.write(f"{row['database']:<12}{row['median_ms']:>12}{row['p95_ms']:>10}"
                         f"{row['max_ms']:>10}\n")
    out = Path(__file__).parent / "results" / "proposals.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
