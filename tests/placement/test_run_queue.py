"""Optimizer runs leave the web: 202 with the queued run, solved by the worker, failed with a
reason when the solve raises, and a real `flask worker run` process solving a queued run."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from placement import create_app
from placement.extensions import db
from placement.worker import run_queue
from tests.placement.conftest import SECRET_KEYS, _base_config
from tests.placement.workflow_helpers import open_request

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]
ROOT = Path(__file__).resolve().parents[2]


def test_a_run_whose_solver_raises_ends_failed_with_a_reason(client, network, make_user,
                                                            monkeypatch):
    from placement.services import runs

    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    open_request(client, case_manager, persons=WOMAN, suspects=[])

    def broken_solver(instance, **kwargs):
        raise RuntimeError("the solver broke")

    monkeypatch.setattr(runs, "solve", broken_solver)
    answer = client.post("/api/v1/optimizer/runs", json={"time_limit": 2},
                         headers=national.headers)
    assert answer.status_code == 202
    run = client.get(f"/api/v1/optimizer/runs/{answer.get_json()['id']}",
                     headers=national.headers).get_json()
    assert run["status"] == "failed"
    assert run["failure"] == "the solve failed (RuntimeError)"
    assert run["finished_at"] is not None and run["proposals"] == []
    assert "broke" not in str(run)  # the error's text (it may carry data) stays out


def test_a_run_records_its_time_limit(client, network, make_user):
    national = make_user("national_coordinator")
    run = client.post("/api/v1/optimizer/runs", json={"time_limit": 3},
                      headers=national.headers).get_json()
    assert (run["status"], run["time_limit"]) == ("succeeded", 3.0)


def test_a_worker_process_solves_a_queued_run(app, network, make_user, tmp_path):
    """The web answers `queued` at once; `flask worker run` (huey on an SQLite file) solves the
    run in a child process; the test waits on the task's result with huey's blocking API."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    queue_file = str(tmp_path / "run-queue.db")
    web = create_app({**_base_config(url), "RUN_QUEUE_IMMEDIATE": False,
                      "RUN_QUEUE_FILE": queue_file})
    try:
        _solve_with_a_worker(app, web, queue_file, url, make_user)
    finally:
        with web.app_context():  # its own engine: closed here, not left to the collector
            db.engine.dispose()


def _solve_with_a_worker(app, web, queue_file, url, make_user):
    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    _case, request = open_request(app.test_client(), case_manager, persons=WOMAN, suspects=[])
    db.session.commit()  # on SQLite an open transaction here would hold the write lock
    answer = web.test_client().post("/api/v1/optimizer/runs", json={"time_limit": 5},
                                    headers=national.headers)
    assert answer.status_code == 202
    queued = answer.get_json()
    assert (queued["status"], queued["proposals"]) == ("queued", [])

    env = {**os.environ, **SECRET_KEYS, "DATABASE_URL": url, "RUN_QUEUE_FILE": queue_file,
           "STREHA_ENV": "development"}
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "run"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        outcome = run_queue(web).result(f"run-{queued['id']}", blocking=True, timeout=120)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert outcome == "succeeded"
    run = web.test_client().get(f"/api/v1/optimizer/runs/{queued['id']}",
                                headers=national.headers).get_json()
    assert run["status"] == "succeeded"
    assert [p["request_id"] for p in run["proposals"]] == [request["id"]]
    assert run["summary"]["requests"] == 1


def test_a_run_left_running_by_a_dead_worker_ends_failed(app, network, make_user):
    from datetime import timedelta

    from placement import clock
    from placement.models import OptimizerRun
    from placement.services import runs

    national = make_user("national_coordinator")
    run = OptimizerRun(requested_by_id=national.user_id, auto_hold=False, status="running",
                       started_at=clock.now(), time_limit=10)
    db.session.add(run)
    db.session.commit()
    assert runs.fail_abandoned_runs(grace=120) == 0  # still within its limit: left alone
    clock.set_offset(timedelta(seconds=10 + 121))
    assert runs.fail_abandoned_runs(grace=120) == 1
    db.session.commit()
    assert (run.status, run.failure) == ("failed", "the worker stopped before the run finished")


class _StoppedClock:
    """A monotonic clock that moves only when the test says some work took time."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_reading_the_queue_counts_against_the_run_s_time_limit(app, client, network, make_user,
                                                               monkeypatch):
    """A run's time_limit covers reading the queue and building the instance: when those took
    4 of its 5 seconds the solver is left 1, and the summary reports the whole 4 and more."""
    from placement.models import User
    from placement.services import runs

    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    open_request(client, case_manager, persons=WOMAN, suspects=[])
    clock, real_build, handed = _StoppedClock(), runs.build_instance, {}

    def slow_build(requests):
        instance = real_build(requests)
        clock.now += 4.0
        return instance

    real_solve = runs.solve

    def solve(instance, **kwargs):
        handed["left"] = kwargs["started"] + kwargs["time_limit"] - kwargs["clock"]()
        return real_solve(instance, **kwargs)

    monkeypatch.setattr(runs, "build_instance", slow_build)
    monkeypatch.setattr(runs, "solve", solve)
    run = runs.queue_run(db.session.get(User, national.user_id), time_limit=5.0)
    db.session.commit()
    assert runs.execute_run(run.id, monotonic=clock) == "succeeded"
    assert handed["left"] == 1.0
    assert 4.0 <= db.session.get(runs.OptimizerRun, run.id).summary["wall_time_s"] <= 5.0


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_a_run_searches_at_the_lowest_cpu_class_and_explains_and_stores_at_the_caller_s(
        app, client, network, make_user, monkeypatch):
    """The search runs in a thread of the SCHED_IDLE class, so that a web worker on the same
    CPUs takes the CPU from it at once; explaining the answer (which no clock cuts short) and
    storing the proposals (holding row locks the API's holds wait on) keep the caller's class,
    and so does the caller after the run."""
    from placement.services import runs

    solve_module = importlib.import_module("optimizer.solve")  # the module, not the function

    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    open_request(client, case_manager, persons=WOMAN, suspects=[])
    real_search, real_explain, real_store = (solve_module._exact, solve_module.explain_unassigned,
                                             runs._store)
    seen = {}

    def noting(name, function):
        def noted(*args):
            seen[name] = os.sched_getscheduler(0)
            return function(*args)
        return noted

    monkeypatch.setattr(solve_module, "_exact", noting("searching", real_search))
    monkeypatch.setattr(solve_module, "explain_unassigned", noting("explaining", real_explain))
    monkeypatch.setattr(runs, "_store", noting("storing", real_store))
    before = os.sched_getscheduler(0)
    run = client.post("/api/v1/optimizer/runs", json={"time_limit": 2},
                      headers=national.headers).get_json()
    assert run["status"] == "succeeded" and len(run["proposals"]) == 1
    assert seen["searching"] == os.SCHED_IDLE
    assert seen["explaining"] == seen["storing"] == before == os.sched_getscheduler(0)
    assert before != os.SCHED_IDLE


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_a_run_whose_lowest_cpu_class_is_refused_still_solves(app, client, network, make_user,
                                                              monkeypatch):
    """Where a sandbox refuses SCHED_IDLE, the search runs at the caller's class instead."""
    def refused(*_args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "sched_setscheduler", refused)
    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    open_request(client, case_manager, persons=WOMAN, suspects=[])
    run = client.post("/api/v1/optimizer/runs", json={"time_limit": 2},
                      headers=national.headers).get_json()
    assert run["status"] == "succeeded" and len(run["proposals"]) == 1
