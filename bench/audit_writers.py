"""Commits per second with concurrent writers, each commit carrying one audit event (issue 11).

Each writer is a process with its own app and connection, as gunicorn workers are; every commit
inserts one small row (a job run record) and, in the audited round, one audit event. The plain
round, the same commits without the event, is the ceiling the database itself allows. While a
round runs, the parent samples pg_stat_activity every 20 ms: the share of the writers' samples
spent waiting on a lock is the serialisation the audit adds (on a machine short of CPU, commits
per second alone mostly measure the CPU). Then the log the writers left is verified.
PostgreSQL (TEST_DATABASE_URL names the server; a throwaway database is created and dropped).
Not part of make test:

    TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python -m bench.audit_writers
"""

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from placement import clock, create_app
from placement.config import normalise_database_url
from placement.crypto import new_key
from placement.extensions import db
from placement.models import JobRun
from placement.services import audit

RESULTS = Path(__file__).parent / "results" / "audit_writers.json"


def _config(url, audit_key):
    return {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": uuid.uuid4().hex,
            "ENCRYPTION_KEYS": f"k1:{new_key()}", "ENCRYPTION_KEY_ID": "k1",
            "AUDIT_HMAC_KEY": audit_key}


def _writer(url, audit_key, audited, seconds, barrier, results, number):
    app = create_app(_config(url, audit_key))
    latencies = []
    with app.app_context():
        db.session.execute(sa.select(1))
        db.session.rollback()
        barrier.wait()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            moment = clock.now()
            db.session.add(JobRun(name="bench.audit_writers", holder=f"writer-{number}",
                                  started_at=moment, finished_at=moment, outcome="ok",
                                  summary="bench"))
            if audited:
                audit.record("bench.write", "writer", number)
            db.session.commit()
            latencies.append(time.perf_counter() - started)
        db.session.remove()
    results.put(latencies)


def _round(url, audit_key, writers, seconds, audited):
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(writers + 1), context.Queue()
    processes = [context.Process(target=_writer, args=(url, audit_key, audited, seconds, barrier,
                                                       results, n)) for n in range(writers)]
    for process in processes:
        process.start()
    barrier.wait()
    waits = _sample_waits(url, seconds)
    latencies = [value for _ in processes for value in results.get()]
    for process in processes:
        process.join()
    ordered = sorted(latencies)
    return {"round": "audited" if audited else "plain", "writers": writers, "seconds": seconds,
            "commits": len(latencies), "commits_per_s": round(len(latencies) / seconds, 1),
            "median_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95)] * 1000, 2),
            "lock_wait_share": waits}


def _sample_waits(url, seconds):
    """The share of the writers' pg_stat_activity samples that wait on a lock."""
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    query = sa.text("SELECT wait_event_type FROM pg_stat_activity WHERE datname ="
                    " current_database() AND pid <> pg_backend_pid() AND backend_type ="
                    " 'client backend'")
    samples = locked = 0
    deadline = time.monotonic() + seconds
    with engine.connect() as connection:
        while time.monotonic() < deadline:
            events = connection.execute(query).scalars().all()
            samples += len(events)
            locked += sum(1 for event in events if event == "Lock")
            time.sleep(0.02)
    engine.dispose()
    return round(locked / samples, 3) if samples else None


def _database():
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        sys.exit("TEST_DATABASE_URL must name a PostgreSQL server (this bench is PostgreSQL's)")
    base_url = sa.make_url(normalise_database_url(base))
    name = f"streha_bench_audit_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return admin, name, base_url.set(database=name).render_as_string(hide_password=False)


def _verify():
    try:
        from placement.services.audit_verify import verify
    except ImportError:  # the code before the audit chains (issue 11), for the "before" figures
        verify = audit.verify
    return verify()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    admin, name, url = _database()
    audit_key = uuid.uuid4().hex
    try:
        app = create_app(_config(url, audit_key))
        with app.app_context():
            upgrade()
        rounds = [_round(url, audit_key, args.writers, args.seconds, audited)
                  for audited in (False, True)]
        with app.app_context():
            verdict = _verify()
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    sys.stdout.write(f"\n{args.writers} writers, {args.seconds:g} s each round, PostgreSQL\n")
    sys.stdout.write(f"{'round':<10}{'commits/s':>11}{'median ms':>11}{'p95 ms':>9}"
                     f"{'lock waits':>12}\n")
    for row in rounds:
        sys.stdout.write(f"{row['round']:<10}{row['commits_per_s']:>11}{row['median_ms']:>11}"
                         f"{row['p95_ms']:>9}{row['lock_wait_share']:>12.1%}\n")
    sys.stdout.write(verdict.summary() + "\n")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"rounds": rounds, "verify": verdict.summary()}, indent=1))
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
