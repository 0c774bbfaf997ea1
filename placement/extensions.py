"""Flask extensions, created unbound and initialised by the app factory."""

from flask import has_request_context, request
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
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
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


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
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")
    connection.info[_READING] = reading


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
    raw.execute("BEGIN IMMEDIATE")
    connection.info[_READING] = False
