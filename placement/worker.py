"""The run queue and its worker (`flask worker run`): optimizer runs solve outside the web.

The queue is huey's, on the storage that fits the deployment: Redis when REDIS_URL is set,
otherwise the service's own PostgreSQL database (huey's tables, prefixed `run_queue`), otherwise
an SQLite file beside the database under instance/ (RUN_QUEUE_FILE). Tests run it in huey's
immediate mode: the task runs inside the enqueueing call.

The web answers 202 with the queued run; the worker takes one task at a time and solves each run
in a fresh child process (forkserver), so the memory a large solve takes goes back to the system
when the child exits, and a solve that dies (killed, out of memory) still ends its run `failed`.
"""

import logging
import multiprocessing
import os
import time

from flask import current_app
from huey import PostgresHuey, RedisHuey, SqliteHuey
from huey.consumer import Consumer

from placement import search_pause
from placement.extensions import db
from placement.services import runs

log = logging.getLogger(__name__)

QUEUE_NAME = "streha-runs"
TABLE_PREFIX = "run_queue"
# How long past its time limit a child may take (starting, committing) before it is killed.
CHILD_GRACE_S = 120


def init_queue(app, overrides):
    """Note the run queue's settings; the queue itself (its storage connects, and may create
    its tables) is made on first use, so that building the app touches nothing outside it.
    `overrides` (create_app's) are handed to each run's child process."""
    app.extensions["streha_run_queue"] = None
    app.extensions["streha_overrides"] = dict(overrides or {})


def _immediate(config):
    return config.get("RUN_QUEUE_IMMEDIATE", bool(config.get("TESTING")))


def run_queue(app=None):
    """The app's huey instance, with its one task, `solve_run`."""
    app = app or current_app._get_current_object()
    queue = app.extensions["streha_run_queue"]
    if queue is None:
        queue = _storage(app.config, _immediate(app.config), app.instance_path)
        app.extensions["streha_solve_run"] = queue.task(name="solve_run", retries=0)(
            _solve_run_task)
        app.extensions["streha_run_queue"] = queue
    return queue


def _storage(config, immediate, instance_path):
    if config.get("REDIS_URL"):
        return RedisHuey(QUEUE_NAME, url=config["REDIS_URL"], immediate=immediate)
    url = config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql") and not config.get("RUN_QUEUE_FILE"):
        dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
        return PostgresHuey(QUEUE_NAME, dsn=dsn, table_prefix=TABLE_PREFIX, immediate=immediate)
    filename = config.get("RUN_QUEUE_FILE")
    if not filename:
        os.makedirs(instance_path, exist_ok=True)
        filename = os.path.join(instance_path, "run-queue.db")
    return SqliteHuey(QUEUE_NAME, filename=filename, immediate=immediate)


def enqueue_run(run_id):
    """Queue the solve of a committed run; its task id is `run-<id>` (a result to wait on)."""
    queue = run_queue()
    solve_run = current_app.extensions["streha_solve_run"]
    return queue.enqueue(solve_run.s(run_id, id=f"run-{run_id}"))


def owns_table(name):
    """The queue's own PostgreSQL tables, which the models (and migrations) leave alone."""
    return name.startswith(f"{TABLE_PREFIX}_")


def _solve_run_task(run_id):
    if run_queue_app := WORKER_APP.get("app"):
        return _solve_in_child(run_queue_app, run_id)  # the worker: a fresh child per run
    # Immediate mode (tests): inside the enqueueing request, in an app context of its own.
    return _solve_in_app(current_app._get_current_object(), run_id)


def _solve_in_app(app, run_id):
    with app.app_context():
        try:
            return runs.execute_run(run_id)
        finally:
            db.session.remove()


def _solve_in_child(app, run_id):
    context = multiprocessing.get_context("forkserver")
    search_until = context.Value("d", 0.0, lock=False)  # the child's search deadline
    child = context.Process(target=_child_main,
                            args=(app.extensions["streha_overrides"], run_id, search_until),
                            name=f"streha-run-{run_id}")
    started = time.monotonic()
    child.start()
    with app.app_context():
        limit = _time_limit(run_id)
    until = started + limit + CHILD_GRACE_S
    try:
        paused = search_pause.govern(child, search_until, until)
    except OSError:  # /proc unreadable mid-run: wait as before, never leaving it stopped
        log.warning("optimizer run %s: its search could not be watched", run_id)
        child.join(max(0.0, until - time.monotonic()))
        paused = 0.0
    if paused:
        log.info("optimizer run %s: its search paused %.1f s while the machine was busy",
                 run_id, paused)
    if child.is_alive():
        child.kill()
        child.join()
    with app.app_context():
        try:
            if child.exitcode != 0:
                log.error("optimizer run %s: its process ended with code %s", run_id,
                          child.exitcode)
                runs.fail_run(run_id, f"the solving process ended with code {child.exitcode}")
            return db.session.get(runs.OptimizerRun, run_id).status
        finally:
            db.session.remove()


def _time_limit(run_id):
    try:
        run = db.session.get(runs.OptimizerRun, run_id)
        return (run.time_limit if run and run.time_limit else runs.DEFAULT_TIME_LIMIT)
    finally:
        db.session.remove()


def _child_main(overrides, run_id, search_until):
    """A fresh process per run: builds its own app, solves, commits, exits."""
    from placement import create_app

    # Below the web workers: on a machine they share, the pages stay quick while a run solves
    # (the run's time limit is wall-clock, so a busy machine costs it search, not time). The
    # search itself goes lower still, to SCHED_IDLE (runs._at_lowest_priority).
    os.nice(10)
    if search_pause.continue_if_orphaned():  # else never announced, so never paused
        search_pause.watched_by(search_until)
    _solve_in_app(create_app(overrides), run_id)


WORKER_APP = {}


def serve(app, workers=1):
    """Run the consumer until SIGTERM or Ctrl-C; a run being solved finishes first."""
    WORKER_APP["app"] = app
    with app.app_context():
        abandoned = runs.fail_abandoned_runs(CHILD_GRACE_S)
        db.session.commit()
        db.session.remove()
    if abandoned:
        log.warning("marked %s abandoned optimizer runs failed", abandoned)
    queue = run_queue(app)
    # The fork server holds the imports each run's child needs (the app, OR-Tools); started now,
    # so that the worker's resting memory includes it and a run starts without importing.
    multiprocessing.set_forkserver_preload(
        ["placement", "placement.worker", "optimizer.solve", "optimizer.cpsat"])
    from multiprocessing import forkserver

    forkserver.ensure_running()
    # An idle consumer polls an SQLite queue (Redis and PostgreSQL wake it at once): every
    # second at most, so that a queued run starts within a second.
    consumer = Consumer(queue, workers=workers, worker_type="thread", periodic=False,
                        max_delay=1.0)
    log.info("worker started: queue %s on %s", QUEUE_NAME, type(queue).__name__)
    consumer.run()
