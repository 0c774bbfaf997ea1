"""Scheduled jobs: their effects, their lock (one run at a time), their records, the scheduler."""

import logging
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from placement import clock, jobs, locks
from placement.extensions import db
from placement.models import JobLock, JobRun, LoginAttempt, Notification, Shelter, Token, User
from placement.scheduler import build_scheduler
from placement.services import accounts, capacity


@pytest.fixture
def test_job(monkeypatch):
    """Register a job `probe` whose body the test supplies."""

    def register(body, lease=timedelta(minutes=10)):
        job = jobs.Job("probe", body, timedelta(minutes=1), lease, "a test job")
        monkeypatch.setitem(jobs.REGISTRY, "probe", job)
        return job

    return register


def runs(name):
    db.session.expire_all()
    query = sa.select(JobRun.outcome).where(JobRun.name == name).order_by(JobRun.id)
    return list(db.session.scalars(query))


def test_the_registry_names_the_jobs(app):
    assert {
        "deliver_notifications",
        "flag_stale_shelters",
        "purge_expired_tokens",
        "purge_job_runs",
    } <= set(jobs.REGISTRY)
    output = app.test_cli_runner().invoke(args=["jobs", "list"]).output
    assert "flag_stale_shelters" in output and "every 0:05:00" in output


def test_cli_runs_one_job_once_and_prints_its_outcome(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run", "purge_expired_tokens"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "purge_expired_tokens: ok (tokens 0, login attempts 0)"
    assert runs("purge_expired_tokens") == ["ok"]
    assert runner.invoke(args=["jobs", "run", "no_such_job"]).exit_code == 2


def test_stale_shelters_are_told_once_per_staleness(app, make_user, network):
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    shelter_id = network["dv-prishtine"]

    def told():
        db.session.expire_all()
        query = sa.select(Notification).where(Notification.user_id == manager.user_id)
        return [(n.kind, n.payload["shelter_id"]) for n in db.session.scalars(query)]

    # Loaded shelters were never confirmed: stale from the start.
    assert jobs.run("flag_stale_shelters").summary == f"flagged {len(network)}"
    assert told() == [("shelter.stale", shelter_id)]
    assert jobs.run("flag_stale_shelters").summary == "flagged 0"
    capacity.confirm(db.session.get(Shelter, shelter_id))
    db.session.commit()
    clock.set_offset(timedelta(hours=7))
    assert jobs.run("flag_stale_shelters").summary == "flagged 0"
    clock.set_offset(timedelta(hours=8, minutes=1))
    assert jobs.run("flag_stale_shelters").summary == "flagged 1"
    assert told() == [("shelter.stale", shelter_id)] * 2
    assert jobs.run("flag_stale_shelters").summary == "flagged 0"


def test_dead_tokens_and_old_login_attempts_are_purged(app, make_user):
    caller = make_user("admin")
    user = db.session.get(User, caller.user_id)
    revoked = accounts.issue_token(user)[1]
    revoked.revoked_at = clock.now()
    db.session.add(LoginAttempt(username="x", address="a", at=clock.now(), succeeded=False))
    db.session.commit()
    assert jobs.run("purge_expired_tokens").summary == "tokens 1, login attempts 0"
    clock.set_offset(timedelta(minutes=20))
    fresh = accounts.issue_token(user)[1]
    db.session.commit()
    clock.set_offset(timedelta(days=1, minutes=20))
    result = jobs.run("purge_expired_tokens")
    assert result.summary == "tokens 2, login attempts 1"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Token)) == 0
    assert fresh.id is not None
    assert jobs.run("purge_expired_tokens").summary == "tokens 0, login attempts 0"


def test_job_runs_older_than_30_days_are_purged_once(app):
    assert jobs.run("purge_job_runs").summary == "job runs 0"
    clock.set_offset(timedelta(days=30, minutes=1))
    # The first run's record is now past 30 days; the one that purges it is not.
    assert jobs.run("purge_job_runs").summary == "job runs 1"
    assert jobs.run("purge_job_runs").summary == "job runs 0"
    assert runs("purge_job_runs") == ["ok", "ok"]


def test_a_run_while_another_holds_the_lock_is_skipped(app, test_job):
    started, release = threading.Event(), threading.Event()

    def body():
        started.set()
        assert release.wait(10)
        return "held"

    test_job(body)
    results = {}

    def first():
        with app.app_context():
            results["first"] = jobs.run("probe")
            db.session.remove()

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(10)
    try:
        second = jobs.run("probe")
    finally:
        release.set()
        thread.join()
    assert (second.outcome, results["first"].outcome) == ("skipped", "ok")
    assert sorted(runs("probe")) == ["ok", "skipped"]
    # Released afterwards: the next run goes ahead.
    assert jobs.run("probe").outcome == "ok"


def test_a_lock_left_by_a_dead_runner_is_taken_over(app, test_job):
    test_job(lambda: "ran", lease=timedelta(minutes=10))
    if db.engine.dialect.name == "postgresql":
        # A session-level advisory lock dies with its connection.
        holder = db.engine.connect()
        holder.scalar(sa.select(sa.func.pg_advisory_lock(locks.advisory_key("probe"))))
        holder.commit()
        assert jobs.run("probe").outcome == "skipped"
        holder.invalidate()
        holder.close()
        # The server ends the dead session's backend a moment later; wait for that by blocking
        # on the same lock (bounded by lock_timeout), not by sleeping.
        with db.engine.connect() as probe:
            probe.exec_driver_sql("SET lock_timeout = '10s'")
            key = locks.advisory_key("probe")
            probe.scalar(sa.select(sa.func.pg_advisory_lock(key)))
            probe.scalar(sa.select(sa.func.pg_advisory_unlock(key)))
            probe.commit()
    else:
        until = clock.now() + timedelta(minutes=10)
        db.session.add(JobLock(name="probe", holder="crashed:1:dead", locked_until=until))
        db.session.commit()
        assert jobs.run("probe").outcome == "skipped"
        clock.set_offset(timedelta(minutes=11))
    assert jobs.run("probe").outcome == "ok"


def test_a_failing_job_is_rolled_back_recorded_and_logged_without_its_message(
    app, test_job, caplog, make_user
):
    caller = make_user("admin")

    def body():
        db.session.get(User, caller.user_id).disabled_at = clock.now()
        db.session.flush()
        raise RuntimeError(" ".join(("secret", "detail", "42.6629")))

    test_job(body)
    with caplog.at_level(logging.ERROR):
        result = jobs.run("probe")
    assert (result.outcome, result.summary) == ("failed", "RuntimeError")
    assert runs("probe") == ["failed"]
    assert db.session.get(User, caller.user_id).disabled_at is None
    assert "RuntimeError" in caplog.text and "secret detail" not in caplog.text


def test_the_scheduler_has_one_fixed_job_per_registered_job(app):
    # A paused background scheduler of the same make: the blocking one would block the test.
    scheduler = build_scheduler(app, scheduler_class=BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        scheduled = {job.id: job for job in scheduler.get_jobs()}
        assert set(scheduled) == set(jobs.REGISTRY)
        for name, job in scheduled.items():
            assert job.coalesce is True and job.max_instances == 1
            assert job.trigger.interval == jobs.REGISTRY[name].every
        # Adding the same ids again (a restarted scheduler) replaces them, never doubles them.
        for job in list(scheduled.values()):
            scheduler.add_job(
                job.func, "interval", minutes=1, args=job.args, id=job.id, replace_existing=True
            )
        assert len(scheduler.get_jobs()) == len(jobs.REGISTRY)
    finally:
        scheduler.shutdown(wait=True)


def test_the_app_factory_starts_no_scheduler(app):
    assert "apscheduler" not in app.extensions
    assert not [t for t in threading.enumerate() if "APScheduler" in t.name]
