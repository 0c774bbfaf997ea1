"""Scheduled jobs: a registry of named jobs, and `run`, which runs one once under its lock.

A job is a function that calls a service and returns a short summary (counts only). `run` takes
the job's database lock, calls it, commits (or rolls back on any error), and records the run in
job_runs; if the lock is held elsewhere the run is skipped. To add a job, decorate a function here:

    @job("purge_old_notifications", every=timedelta(days=1))
    def purge_old_notifications():
        \"\"\"Delete read notifications older than 90 days.\"\"\"
        return f"purged {retention.purge_notifications()}"

The scheduler process (placement/scheduler.py) runs every registered job at its interval.
"""

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from placement import clock, locks
from placement.extensions import db
from placement.models import JobRun
from placement.services import (
    audit_anchor,
    case_retention,
    freshness,
    holds,
    occupancy_history,
    reminders,
    retention,
    runs,
    webhook,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], str]
    every: timedelta
    # How long a lease row (SQLite) holds if its runner dies: longer than any run takes.
    lease: timedelta
    description: str


@dataclass(frozen=True)
class RunResult:
    name: str
    outcome: str  # ok, failed, skipped
    summary: str


REGISTRY: dict[str, Job] = {}


def job(name, every, lease=timedelta(minutes=10)):
    """Register the decorated function as the job `name`, run every `every`."""

    def register(func):
        summary = (func.__doc__ or name).strip().splitlines()[0]
        REGISTRY[name] = Job(name, func, every, lease, summary)
        return func

    return register


def run(name):
    """Run the job `name` once, unless it is running elsewhere; returns its RunResult.

    Anything uncommitted in the session beforehand is rolled back: commit before calling.
    """
    registered = REGISTRY[name]
    # A run is a boundary of its own: it starts from a clean session, and on SQLite a caller's
    # open transaction would hold the write lock the lock row needs.
    db.session.rollback()
    holder = locks.new_holder()
    started = clock.now()
    with locks.job_lock(name, registered.lease, holder) as acquired:
        if acquired:
            result = _run_locked(registered)
        else:
            log.info("job %s skipped: it is running elsewhere", name)
            result = RunResult(name, "skipped", "running elsewhere")
        _record(result, holder, started)
    return result


def _run_locked(registered):
    try:
        summary = registered.func()
        db.session.commit()
        return RunResult(registered.name, "ok", str(summary or "done")[:200])
    except Exception as error:  # a failed run is recorded and logged, never raised further
        db.session.rollback()
        # The class and the frames, not the message: a database error's text carries its values.
        frames = "".join(traceback.format_tb(error.__traceback__))
        log.error("job %s failed: %s\n%s", registered.name, type(error).__name__, frames)
        return RunResult(registered.name, "failed", type(error).__name__)


def _record(result, holder, started):
    db.session.add(
        JobRun(
            name=result.name,
            holder=holder,
            started_at=started,
            finished_at=clock.now(),
            outcome=result.outcome,
            summary=result.summary,
        )
    )
    db.session.commit()


@job("anchor_audit_log", every=timedelta(minutes=15))
def anchor_audit_log():
    """Copy the audit log's signed head to AUDIT_ANCHOR_FILE / AUDIT_ANCHOR_URL (rollbacks)."""
    if not audit_anchor.configured():
        return "no anchor destination configured"
    anchor, places = audit_anchor.write()
    return f"seq {anchor.seq} to {len(places)} destination(s)"


@job("deliver_notifications", every=timedelta(seconds=30))
def deliver_notifications():
    """POST due notifications to NOTIFY_WEBHOOK_URL, signed; failures retried with backoff."""
    url = webhook.webhook_url()
    if url is None:
        return "no webhook configured"
    claims = webhook.claim_due()
    # The claim is committed first so no transaction (on SQLite: the write lock) stays open
    # while we wait on the network.
    db.session.commit()
    results = [(claim, webhook.post(url, claim)) for claim in claims]
    counts = webhook.record_results(results)
    return "delivered {delivered}, retry {retry}, gave up {gave_up}".format(**counts)


@job("flag_stale_shelters", every=timedelta(minutes=5))
def flag_stale_shelters():
    """Tell shelter managers once when their shelter's counts turn stale (> 8 h unconfirmed)."""
    return f"flagged {freshness.flag_stale_shelters()}"


@job("purge_closed_cases", every=timedelta(days=1), lease=timedelta(minutes=30))
def purge_closed_cases():
    """Purge cases closed longer ago than the retention period; keep only anonymous counts."""
    return f"purged {case_retention.purge_closed_cases()}"


@job("purge_expired_tokens", every=timedelta(hours=1))
def purge_expired_tokens():
    """Delete dead tokens and login attempts older than a day."""
    counts = retention.purge_expired_tokens()
    return "tokens {tokens}, login attempts {login_attempts}".format(**counts)


@job("purge_idempotency_keys", every=timedelta(hours=1))
def purge_idempotency_keys():
    """Delete Idempotency-Key answers past IDEMPOTENCY_TTL; blank those about closed cases."""
    counts = retention.purge_idempotency_keys()
    return "expired {expired}, closed cases {closed_cases}".format(**counts)


@job("purge_job_runs", every=timedelta(days=1))
def purge_job_runs():
    """Delete job run records older than 30 days."""
    return f"job runs {retention.purge_job_runs()}"


@job("release_expired_holds", every=timedelta(minutes=1))
def release_expired_holds():
    """Release holds past their expiry and put their requests back in the queue."""
    return f"expired {len(holds.release_expired_holds())}"


@job("remind_of_long_stays", every=timedelta(hours=1))
def remind_of_long_stays():
    """Remind once of each stay past the reflection period or past its planned departure."""
    return f"reminded {reminders.send_reminders()}"


@job("repropose_open_requests", every=timedelta(minutes=5), lease=timedelta(minutes=15))
def repropose_open_requests():
    """Propose again for open requests that changed since their last proposal."""
    run = runs.repropose_open_requests(before_solving=db.session.commit)
    if run is None:
        return "nothing changed"
    return f"run {run.id}: {run.summary['assigned']} proposed, {run.summary['unassigned']} not"


@job("snapshot_occupancy", every=timedelta(minutes=10))
def snapshot_occupancy():
    """Record each shelter's counts once per hour (runs more often: a missed run is caught up)."""
    return f"snapshots {occupancy_history.take_hourly_snapshots()}"


@job("purge_occupancy_snapshots", every=timedelta(days=1))
def purge_occupancy_snapshots():
    """Delete occupancy snapshots older than OCCUPANCY_SNAPSHOT_RETENTION."""
    return f"snapshots {occupancy_history.purge_old_snapshots()}"
