"""SQLite under concurrent readers and a writer: GET /shelters median, p95 and p99 (issue 11).

The embedded database newcomers run: readers (processes of their own, as gunicorn workers are)
call GET /api/v1/shelters as national coordinators, while one writer confirms shelters as an
administrator (a write and an audit event per call). A read that waits for the write lock shows as
a tail far above the median. Calls go through the WSGI app in-process; not part of make test:

    python -m bench.sqlite_reads [--readers 4] [--seconds 10]
"""

import argparse
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from flask_migrate import upgrade

from placement import create_app
from placement.crypto import new_key
from placement.extensions import db
from placement.services import accounts
from placement.services.network import default_network, load_network

RESULTS = Path(__file__).parent / "results" / "sqlite_reads.json"


def _config(url, keys):
    return {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": keys["secret"],
            "ENCRYPTION_KEYS": f"k1:{keys['encryption']}", "ENCRYPTION_KEY_ID": "k1",
            "AUDIT_HMAC_KEY": keys["audit"]}


def _seed(url, keys, readers):
    app = create_app(_config(url, keys))
    with app.app_context():
        upgrade()
        load_network(default_network())
        tokens = []
        for n in range(readers):
            user = accounts.create_user(f"reader-{n}", "bench-password-123",
                                        "national_coordinator")
            tokens.append(accounts.issue_token(user)[0])
        admin = accounts.create_user("writer", "bench-password-123", "admin")
        tokens.append(accounts.issue_token(admin)[0])
        db.session.commit()
        db.session.remove()
    return tokens


def _reader(url, keys, token, seconds, barrier, results):
    client = create_app(_config(url, keys)).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/shelters", headers=headers).status_code == 200
    barrier.wait()
    latencies, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        response = client.get("/api/v1/shelters", headers=headers)
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    results.put(("read", latencies))


def _writer(url, keys, token, seconds, barrier, results):
    client = create_app(_config(url, keys)).test_client()
    headers = {"Authorization": f"Bearer {token}"}
    ids = [row["id"] for row in client.get("/api/v1/shelters", headers=headers).get_json()]
    barrier.wait()
    latencies, deadline, n = [], time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        started = time.perf_counter()
        response = client.post(f"/api/v1/shelters/{ids[n % len(ids)]}/confirm", headers=headers)
        latencies.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        n += 1
    results.put(("write", latencies))


def _summary(kind, latencies, seconds):
    ordered = sorted(latencies)
    pick = lambda share: round(ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000, 1)  # noqa: E731
    median = statistics.median(ordered) * 1000
    return {"kind": kind, "calls": len(ordered), "per_s": round(len(ordered) / seconds, 1),
            "median_ms": round(median, 1), "p95_ms": pick(0.95), "p99_ms": pick(0.99),
            "p95_over_median": round(pick(0.95) / median, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    keys = {"secret": uuid.uuid4().hex, "encryption": new_key(), "audit": uuid.uuid4().hex}
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        tokens = _seed(url, keys, args.readers)
        barrier, results = context.Barrier(args.readers + 2), context.Queue()
        processes = [context.Process(target=_reader, args=(url, keys, token, args.seconds,
                                                           barrier, results))
                     for token in tokens[:-1]]
        processes.append(context.Process(target=_writer, args=(url, keys, tokens[-1],
                                                                args.seconds, barrier, results)))
        for process in processes:
            process.start()
        barrier.wait()
        collected = {"read": [], "write": []}
        for _ in processes:
            kind, latencies = results.get()
            collected[kind].extend(latencies)
        for process in processes:
            process.join()
    rows = [_summary(kind, collected[kind], args.seconds) for kind in ("read", "write")]
    sys.stdout.write(f"\nSQLite, {args.readers} readers of GET /shelters and 1 writer, "
                     f"{args.seconds:g} s\n")
    sys.stdout.write(f"{'calls':<8}{'per s':>8}{'median ms':>11}{'p95 ms':>9}{'p99 ms':>9}"
                     f"{'p95/median':>12}\n")
    for row in rows:
        sys.stdout.write(f"{row['kind']:<8}{row['per_s']:>8}{row['median_ms']:>11}"
                         f"{row['p95_ms']:>9}{row['p99_ms']:>9}{row['p95_over_median']:>12}\n")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
