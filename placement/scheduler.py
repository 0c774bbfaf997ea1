"""The scheduler process (`flask scheduler run`): APScheduler 3 running every registered job.

It runs in a process of its own, never in the app factory or a web worker: under several workers
an in-process scheduler runs each job once per worker. Fixed job ids with replace_existing,
coalesce and max_instances=1 keep one process orderly; the database lock in jobs.run keeps any
number of scheduler processes from running the same job at once.
"""

import logging
import signal
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler

from placement import jobs
from placement.extensions import db

log = logging.getLogger(__name__)


def build_scheduler(app, registry=None, scheduler_class=BlockingScheduler):
    """A scheduler with one interval job per registered job, each first run at start."""
    scheduler = scheduler_class(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    start = datetime.now(UTC)
    for job in (registry or jobs.REGISTRY).values():
        scheduler.add_job(
            run_in_app,
            trigger="interval",
            seconds=job.every.total_seconds(),
            args=(app, job.name),
            id=job.name,
            name=job.name,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            next_run_time=start,
        )
    return scheduler


def run_in_app(app, name):
    """One scheduled run: its own app context and session, whatever happens."""
    with app.app_context():
        try:
            result = jobs.run(name)
            log.info("job %s: %s (%s)", name, result.outcome, result.summary)
        except Exception as error:  # the scheduler must keep running; the next run tries again
            log.error("job %s could not run: %s", name, type(error).__name__)
        finally:
            db.session.remove()


def serve(app):
    """Run until SIGTERM or Ctrl-C; jobs already running finish (and release their locks)."""
    scheduler = build_scheduler(app)

    def stop(signum, _frame):
        log.info("scheduler stopping (signal %s)", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler started: %s", ", ".join(sorted(job.id for job in scheduler.get_jobs())))
    scheduler.start()
