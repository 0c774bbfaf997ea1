"""Deleting what is no longer needed: dead tokens, old login attempts, old job runs."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from placement import clock
from placement.extensions import db
from placement.models import JobRun, LoginAttempt, Token

# Login attempts carry a username and an address: keep them no longer than rate limiting and a
# day's investigation need.
LOGIN_ATTEMPT_RETENTION = timedelta(days=1)
JOB_RUN_RETENTION = timedelta(days=30)


def purge_expired_tokens():
    """Delete revoked, expired and idle-expired tokens and old login attempts; returns counts."""
    config = current_app.config
    moment = clock.now()
    dead = sa.or_(
        Token.revoked_at.is_not(None),
        Token.expires_at <= moment,
        Token.last_used_at <= moment - config["TOKEN_IDLE_TIMEOUT"],
    )
    tokens = db.session.execute(sa.delete(Token).where(dead)).rowcount
    keep = max(LOGIN_ATTEMPT_RETENTION, config["LOGIN_FAILURE_WINDOW"])
    attempts = db.session.execute(
        sa.delete(LoginAttempt).where(LoginAttempt.at < moment - keep)
    ).rowcount
    return {"tokens": tokens, "login_attempts": attempts}


def purge_job_runs():
    """Delete job run records older than the retention period; returns how many."""
    cutoff = clock.now() - JOB_RUN_RETENTION
    return db.session.execute(sa.delete(JobRun).where(JobRun.started_at < cutoff)).rowcount
