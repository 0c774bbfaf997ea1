"""Flask extensions, created unbound and initialised by the app factory."""

import itertools
import sqlite3
import time

from flask import has_request_context, request
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event, exc
from sqlalchemy.engine import Engine

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Rows are serialised after the commit at the view boundary; reloading them then is wasted work.
db = SQLAlchemy(
    metadata=MetaData(naming_convention=NAMING_CONVENTION),
    session_options={"expire_on_commit": False},
)
migrate = Migrate()
api = Api()


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, _record):
    """SQLite: foreign keys on, WAL, wait on locks, and let SQLAlchemy own transactions."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


# How long a statement waits for a lock another connection holds before it fails (503).
BUSY_TIMEOUT_MS = 10_000
# A writer waiting for the write lock tries again after these pauses (seconds), the last repeated:
# at most 4 ms late, where SQLite's own handler is up to 100 ms late; and few enough tries that
# waiting writers (every try a Python wake-up) do not take the CPU from the one holding the lock
# (with pauses of 1 ms a hold on SQLite cost about 2 ms more CPU, and its median rose).
WRITE_LOCK_PAUSES = (0.0005, 0.001, 0.002, 0.004)


# Requests that change nothing by their method: on SQLite they start without the write lock.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READING = "streha_sqlite_reading"


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    """SQLite: a write transaction takes the write lock at BEGIN (IMMEDIATE), so read-then-write
    transactions cannot interleave; a read-only one (a GET or HEAD request, or a connection
    with the `streha_read_only` option) begins DEFERRED and takes it at its first write."""
    if connection.dialect.name != "sqlite":
        return
    reading = connection.get_execution_options().get("streha_read_only", _read_request())
    if reading:
        connection.exec_driver_sql("BEGIN")
    else:
        _begin_immediate(connection.connection.dbapi_connection)
    connection.info[_READING] = reading


def _begin_immediate(raw):
    """BEGIN IMMEDIATE on the DBAPI connection, waiting for the write lock by short pauses.

    SQLite's own busy handler, left to wait, sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50,
    100 ms between its tries, whenever the lock is freed meanwhile: a writer that finds the lock
    taken oversleeps its release by up to 100 ms, which made most of the SQLite tail (4 web
    workers writing audit rows). Here the handler is off for BEGIN alone and the writer tries
    again within a few milliseconds of the release, as long as the busy timeout; then it fails as
    before (OperationalError, a 503).
    """
    raw.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        for tries in itertools.count():
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                # The primary code: SQLITE_BUSY_RECOVERY and _TIMEOUT are busy too.
                busy = (error.sqlite_errorcode & 0xFF) == sqlite3.SQLITE_BUSY
                if not busy or time.monotonic() > deadline:
                    raise exc.OperationalError("BEGIN IMMEDIATE", (), error) from error
            time.sleep(WRITE_LOCK_PAUSES[min(tries, len(WRITE_LOCK_PAUSES) - 1)])
    finally:
        raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _read_request():
    return has_request_context() and request.method in READ_METHODS


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _sqlite_end(connection):
    connection.info.pop(_READING, None)


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_first_write(connection, _cursor, statement, _parameters, _context, _executemany):
    if connection.info.get(_READING) and statement.lstrip()[:7].upper().startswith(WRITES):
        take_write_lock(connection)


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def take_write_lock(connection):
    """SQLite: make the connection's transaction a write transaction before it reads what it
    will write from (a no-op on PostgreSQL and for a transaction that holds the lock already).

    A read transaction that has written nothing ends, and a new one begins holding the write
    lock: upgrading in place fails at once (SQLITE_BUSY, no waiting) whenever another writer
    committed since the read began. What the request read before keeps its value as of then,
    which is what PostgreSQL's READ COMMITTED gives every transaction.
    """
    if connection.dialect.name != "sqlite" or not connection.info.get(_READING):
        return
    if connection.in_nested_transaction():
        return  # a savepoint would end with the read: let SQLite try in place
    raw = connection.connection.dbapi_connection
    raw.execute("COMMIT")
    _begin_immediate(raw)
    connection.info[_READING] = False
