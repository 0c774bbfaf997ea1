"""Deleting what is no longer needed: dead tokens, old login attempts, old job runs, and kept
Idempotency-Key answers once they expire or their case closes."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from placement import clock
from placement.extensions import db
from placement.models import Case, IdempotencyKey, JobRun, LoginAttempt, Token
from placement.services import login_limits

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
    keep = max(LOGIN_ATTEMPT_RETENTION, login_limits.longest_window())
    attempts = db.session.execute(
        sa.delete(LoginAttempt).where(LoginAttempt.at < moment - keep)
    ).rowcount
    return {"tokens": tokens, "login_attempts": attempts}


def purge_job_runs():
    """Delete job run records older than the retention period; returns how many."""
    cutoff = clock.now() - JOB_RUN_RETENTION
    return db.session.execute(sa.delete(JobRun).where(JobRun.started_at < cutoff)).rowcount


def forget_answers_about(case_id):
    """Blank the kept Idempotency-Key answers that carry this case's data; returns how many.

    The claims stay: a retry of the POST still creates nothing twice, it is told the answer was
    not kept and to look the object up (where a closed case shows its suspects and notes purged).
    """
    return db.session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.case_id == case_id, IdempotencyKey.body.is_not(None))
        .values(status_code=None, body=None)
    ).rowcount


def purge_idempotency_keys():
    """Delete claims older than IDEMPOTENCY_TTL, and blank any answer about a closed case that
    was kept after the close (a POST that committed while the case was closing); counts."""
    cutoff = clock.now() - current_app.config["IDEMPOTENCY_TTL"]
    expired = db.session.execute(
        sa.delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff)
    ).rowcount
    closed = sa.select(Case.id).where(Case.status != "open")
    blanked = db.session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.case_id.in_(closed), IdempotencyKey.body.is_not(None))
        .values(status_code=None, body=None)
    ).rowcount
    return {"expired": expired, "closed_cases": blanked}
