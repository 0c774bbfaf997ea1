"""A 1,000-request optimizer run through the real processes, while probes time the API (make bench).

Builds a throwaway database (PostgreSQL when TEST_DATABASE_URL is set, else SQLite) holding a
generated network (the Kosovo shelters copied across every municipality: BENCH_RUN_SHELTERS,
300 by default, 2500 for a continental network) and BENCH_RUN_REQUESTS open requests (1,000).
Then starts gunicorn (2 sync workers) and `flask worker run` (huey on an SQLite file, or on
Redis when BENCH_REDIS_URL is set), probes the API from 4 threads without a run and while a run
solves, and samples the worker's memory (its process and all its children) every 0.1 s.

Prints wall time, solver time, the worker's RSS before, at peak and after, and the probes'
p50/p95 with and without the run; writes bench/results/runs.json. Seeding goes through the API
(a case and a request each): at 2,500 shelters it alone took over 13 minutes on the 2-core
machine, so the continental figure is a run of its own (BENCH_RUN_SHELTERS=2500).
"""

import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from bench.proposals import spread_requests, throwaway_postgres
from placement import create_app
from placement.crypto import new_key
from placement.extensions import db
from placement.services import accounts
from placement.services.network import default_network, load_network

ROOT = Path(__file__).resolve().parent.parent
SHELTERS = int(os.environ.get("BENCH_RUN_SHELTERS", "300"))
REQUESTS = int(os.environ.get("BENCH_RUN_REQUESTS", "1000"))
TIME_LIMIT = float(os.environ.get("BENCH_RUN_TIME_LIMIT", "30"))
PROBES = 4
# Per probe thread: 2,400 calls, about 12 s, so that the window without a run is not the noisy
# one of the two (100 each, 2 s, gave p95s of 26 to 37 ms from one run to the next).
BASELINE_CALLS = 600


def _secrets():
    return {"SECRET_KEY": uuid.uuid4().hex, "ENCRYPTION_KEYS": f"k1:{new_key()}",
            "ENCRYPTION_KEY_ID": "k1", "AUDIT_HMAC_KEY": uuid.uuid4().hex}


def network(size):
    """The Kosovo shelters copied `size` times over, spread across the municipalities."""
    document = default_network()
    region_of = {m["code"]: m["region"] for m in document["municipalities"]}
    places = sorted(region_of)
    base, shelters = document["shelters"], []
    for k in range(size):
        entry = json.loads(json.dumps(base[k % len(base)]))
        place = places[k % len(places)]
        entry.update(id=f"{entry['id']}-{k}", name=f"{entry['name']} {k}", municipality=place,
                     region=region_of[place])
        shelters.append(entry)
    document["shelters"] = shelters
    return document


def seed(url, secrets):
    # One bench account opens every request: the per-account and per-organisation quotas on
    # open requests (a brake on a stolen account) are lifted for the seeding (0: no limit).
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, **secrets,
                      "PASSWORD_HASH_COST": {"time_cost": 1, "memory_cost": 1024},
                      "QUOTA_OPEN_REQUESTS_PER_ACCOUNT": 0,
                      "QUOTA_OPEN_REQUESTS_PER_ORGANISATION": 0})
    with app.app_context():
        upgrade()
        load_network(network(SHELTERS))
        case_manager = accounts.create_user("bench-case", "bench-password-123", "case_manager",
                                            organisation="bench")
        national = accounts.create_user("bench-national", "bench-password-123",
                                         "national_coordinator")
        tokens = [accounts.issue_token(user)[0] for user in (case_manager, national)]
        db.session.commit()
        places = list(db.session.scalars(sa.text("SELECT code FROM municipalities")))
    client, headers = app.test_client(), {"Authorization": f"Bearer {tokens[0]}"}
    request_ids = spread_requests(client, headers, REQUESTS, places)
    with app.app_context():
        db.engine.dispose()
    return tokens, request_ids


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree_rss_mb(pid):
    """RSS of a process and all its descendants, in MB (from /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines()
                              if line.startswith("VmRSS:")))
            for thread in Path(f"/proc/{current}/task").iterdir():
                children = (thread / "children").read_text().split()
                todo.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total / 1024


def _call(base, path, token, method="GET", body=None):
    request = urllib.request.Request(base + path, method=method,
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"},
                                     data=json.dumps(body).encode() if body else None)
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.loads(answer.read())


def _probe(base, token, request_ids, until, out):
    """Alternate the proposals of a request and the shelter list; record each latency (ms)."""
    rng = random.Random(len(out))
    while not until():
        path = (f"/api/v1/placement-requests/{rng.choice(request_ids)}/proposals"
                if rng.random() < 0.5 else "/api/v1/shelters")
        start = time.perf_counter()
        _call(base, path, token)
        out.append((time.perf_counter() - start) * 1000)


def _percentiles(values):
    values = sorted(values)
    return {"calls": len(values), "p50_ms": round(statistics.median(values), 1),
            "p95_ms": round(values[int(0.95 * (len(values) - 1))], 1)}


def _probing(base, token, request_ids, until):
    found, threads = [], []
    for _ in range(PROBES):
        mine = []
        found.append(mine)
        threads.append(threading.Thread(target=_probe, args=(base, token, request_ids,
                                                              until(mine), mine)))
    for thread in threads:
        thread.start()
    return found, threads


def _wait_until_up(base, token, deadline=60):
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            _call(base, "/api/v1/shelters", token)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def measure(url, folder):
    secrets = _secrets()
    tokens, request_ids = seed(url, secrets)
    case_token, national_token = tokens
    env = {**os.environ, **secrets, "DATABASE_URL": url, "STREHA_ENV": "development",
           "RUN_QUEUE_FILE": str(Path(folder) / "run-queue.db")}
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    port = _free_port()
    bin_dir = os.path.dirname(sys.executable)
    web = subprocess.Popen([os.path.join(bin_dir, "gunicorn"), "--workers", "2", "--bind",
                            f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                           stderr=subprocess.DEVNULL)
    worker_log = open(Path(folder) / "worker.log", "w+")  # noqa: SIM115 (closed below)
    worker = subprocess.Popen([os.path.join(bin_dir, "flask"), "--app", "wsgi", "worker", "run"],
                              cwd=ROOT, env=env, stderr=worker_log)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, case_token)
        time.sleep(3)  # the worker's imports settle before "before"
        rss_before = _tree_rss_mb(worker.pid)
        with _sampling_rss(worker.pid):  # as in the window with a run, which takes its peak
            baseline, threads = _probing(base, case_token, request_ids,
                                         lambda mine: lambda: len(mine) >= BASELINE_CALLS)
            for thread in threads:
                thread.join()
        found = _during_run(base, case_token, national_token, request_ids, worker.pid,
                            baseline, rss_before, url)
    finally:
        for process in (web, worker):
            process.terminate()
            process.wait(timeout=60)
    with worker_log:
        worker_log.seek(0)
        return {**found, "search_paused_s": _search_paused(worker_log.read())}


def _search_paused(log):
    """The seconds the worker kept the run's search paused for the API (its log line)."""
    found = re.search(r"its search paused ([0-9.]+) s", log)
    return float(found.group(1)) if found else 0.0


class _sampling_rss:  # noqa: N801 (a context manager, named for what it does)
    """Sample a process tree's RSS every 0.1 s in a thread of the bench while the block runs;
    `peak` is the largest sample (MB)."""

    def __init__(self, pid):
        self.pid, self.peak, self.done = pid, 0.0, threading.Event()
        self.thread = threading.Thread(target=self._sample)

    def _sample(self):
        while not self.done.wait(0.1):
            self.peak = max(self.peak, _tree_rss_mb(self.pid))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.done.set()
        self.thread.join()


def _during_run(base, case_token, national_token, request_ids, worker_pid, baseline,
                rss_before, url):
    """The run's end is read from the database ten times a second (committed: its proposals
    stored), not through the API: asking the API that often (as before) was 300 more calls on
    its two web workers in this window and in no other; the coordinator's page asks every 3 s.
    The probes stop when the end is seen."""
    done = threading.Event()
    engine = sa.create_engine(url)
    with _sampling_rss(worker_pid) as memory:
        during, threads = _probing(base, case_token, request_ids, lambda _mine: done.is_set)
        started = time.monotonic()
        run = _call(base, "/api/v1/optimizer/runs", national_token, "POST",
                    {"time_limit": TIME_LIMIT})
        post_ms = (time.monotonic() - started) * 1000
        status = run["status"]
        while status in ("queued", "running"):
            time.sleep(0.1)
            with engine.connect() as connection:
                status = connection.scalar(sa.text(
                    "SELECT status FROM optimizer_runs WHERE id = :id"), {"id": run["id"]})
        wall = time.monotonic() - started
        done.set()
        for thread in threads:
            thread.join()
    engine.dispose()
    run = _call(base, f"/api/v1/optimizer/runs/{run['id']}", national_token)
    time.sleep(2)
    return {
        "shelters": SHELTERS, "requests": REQUESTS, "time_limit": TIME_LIMIT,
        "status": run["status"], "failure": run.get("failure"),
        "post_answer_ms": round(post_ms, 1), "run_wall_s": round(wall, 2),
        "solver_wall_time_s": (run.get("summary") or {}).get("wall_time_s"),
        "solver_status": (run.get("summary") or {}).get("status"),
        "assigned": (run.get("summary") or {}).get("assigned"),
        "objective": (run.get("summary") or {}).get("objective"),
        "worker_rss_mb": {"before": round(rss_before),
                          "peak": round(max(rss_before, memory.peak)),
                          "after": round(_tree_rss_mb(worker_pid))},
        "api_without_run": _percentiles([v for probe in baseline for v in probe]),
        "api_during_run": _percentiles([v for probe in during for v in probe]),
    }


def main():
    with throwaway_postgres() as postgres, tempfile.TemporaryDirectory() as folder:
        url = postgres or f"sqlite:///{Path(folder) / 'bench.db'}"
        result = {"database": "postgresql" if postgres else "sqlite", **measure(url, folder)}
    sys.stdout.write(f"\nOptimizer run of {REQUESTS} requests, {SHELTERS} shelters, "
                     f"{result['database']}\n{json.dumps(result, indent=1)}\n")
    out = Path(__file__).parent / "results" / "runs.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
