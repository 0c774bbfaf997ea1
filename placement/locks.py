"""Run-once locks for scheduled jobs: a PostgreSQL advisory lock, or a lease row on SQLite.

Either way a job holds its lock on a connection of its own, apart from the session doing the work,
and a second runner that cannot take it skips the run instead of waiting.

`transaction_lock` is the other kind: held by the session's own transaction until it ends, for a
check-then-write that must not interleave with another (a login limit, a quota).
"""

import hashlib
import os
import socket
import uuid
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError

from placement import clock
from placement.extensions import db
from placement.models import JobLock


def new_holder():
    """Who runs: host, process and a per-run tag (two threads of one process differ too)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def advisory_key(name, namespace="streha-job"):
    """A stable signed 64-bit key per job name (or per name in another namespace)."""
    digest = hashlib.sha256(f"{namespace}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def transaction_lock(*names):
    """Wait for the transaction-scoped locks `names`, in the order given, until the session's
    transaction ends. Callers take them in one fixed order (by kind) so none deadlock.

    PostgreSQL: advisory transaction locks. SQLite: nothing to do, every writing transaction
    holds the database's write lock from BEGIN IMMEDIATE (a read request's deferred transaction
    moves to one at its first write, before it reads again: placement/extensions.py).
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for name in names:
        key = advisory_key(name, namespace="streha-txn")
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(key)))


@contextmanager
def job_lock(name, lease, holder):
    """Yield True when this runner holds the job's lock (released on exit), False otherwise."""
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, advisory_key(name)) as acquired:
            yield acquired
    else:
        with _lease_row(engine, name, lease, holder) as acquired:
            yield acquired


@contextmanager
def _advisory_lock(engine, key):
    # Session-level, not transaction-level: held across the job's own commits, and released by
    # the server if this process dies and its connection drops.
    connection = engine.connect()
    try:
        acquired = bool(connection.scalar(sa.select(sa.func.pg_try_advisory_lock(key))))
        connection.commit()
        try:
            yield acquired
        finally:
            if acquired:
                _advisory_unlock(connection, key)
    finally:
        connection.close()


def _advisory_unlock(connection, key):
    try:
        connection.scalar(sa.select(sa.func.pg_advisory_unlock(key)))
        connection.commit()
    except SQLAlchemyError:
        # A connection that cannot unlock is thrown away: closing it ends the lock.
        connection.invalidate()


@contextmanager
def _lease_row(engine, name, lease, holder):
    moment = clock.now()
    with engine.begin() as connection:
        connection.execute(
            sqlite_insert(JobLock).values(name=name).on_conflict_do_nothing(index_elements=["name"])
        )
        claimed = connection.execute(
            sa.update(JobLock)
            .where(
                JobLock.name == name,
                sa.or_(JobLock.locked_until.is_(None), JobLock.locked_until <= moment),
            )
            .values(holder=holder, locked_until=moment + lease)
        ).rowcount
    try:
        yield claimed == 1
    finally:
        if claimed == 1:
            with engine.begin() as connection:
                connection.execute(
                    sa.update(JobLock)
                    .where(JobLock.name == name, JobLock.holder == holder)
                    .values(holder=None, locked_until=None)
                )
