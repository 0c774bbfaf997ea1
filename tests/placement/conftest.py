"""Service test fixtures: a migrated database per test on SQLite or PostgreSQL, apps, users.

STREHA_TEST_BACKEND=postgres runs the same suite against TEST_DATABASE_URL: a throwaway database
is created beside it, migrated once with `flask db upgrade`, and emptied before every test.
"""

import logging
import os
import re
import shutil
import uuid
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from placement import create_app
from placement.config import normalise_database_url
from placement.crypto import new_key
from placement.extensions import db
from placement.services import accounts
from placement.services.network import default_network, load_network, shelter_location

BACKEND = os.environ.get("STREHA_TEST_BACKEND", "sqlite")
PASSWORD = "correct horse battery staple"
SECRET_KEYS = {
    "SECRET_KEY": "test-" + uuid.uuid4().hex,
    "ENCRYPTION_KEYS": f"k1:{new_key()}",
    "ENCRYPTION_KEY_ID": "k1",
    "AUDIT_HMAC_KEY": "audit-" + uuid.uuid4().hex,
}

# Every secret coordinate the suite has seeded, as text; no response or log line may contain one.
SEEDED_COORDINATES: set[str] = set()


def leaked_coordinates(text):
    """Seeded coordinates found in `text`; a timestamp's seconds (10:12:42.634412) are not one."""
    return sorted(
        c for c in SEEDED_COORDINATES if re.search(r"(?<![\d.])(?<!\d\d:)" + re.escape(c), text)
    )


@pytest.fixture(autouse=True)
def _forget_coordinates():
    """Each test scans for its own database's coordinates only."""
    SEEDED_COORDINATES.clear()


def _base_config(url):
    # Argon2id still, at a cost fit for hundreds of accounts a run (production keeps defaults).
    cheap = {"time_cost": 1, "memory_cost": 1024}
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_COST": cheap,
            **SECRET_KEYS}


def _migrate(url):
    app = create_app(_base_config(url))
    with app.app_context():
        upgrade()
        # Closing the last connection checkpoints SQLite's WAL into the file we then copy.
        db.engine.dispose()


def _with_network(template, target):
    """A copy of `template` with the Kosovo network loaded (once a session: loading is slow)."""
    shutil.copyfile(template, target)
    app = create_app(_base_config(f"sqlite:///{target}"))
    with app.app_context():
        load_network(default_network())
        db.session.commit()
        remember_coordinates()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def _database(tmp_path_factory):
    """Yields fresh(with_network) -> (URL of a fresh migrated database, network preloaded?)."""
    if BACKEND == "postgres":
        yield from _postgres_databases()
        return
    folder = tmp_path_factory.mktemp("db")
    templates = {False: folder / "empty.db", True: folder / "network.db"}
    _migrate(f"sqlite:///{templates[False]}")
    _with_network(templates[False], templates[True])

    def fresh(with_network=False):
        target = folder / f"{uuid.uuid4().hex}.db"
        shutil.copyfile(templates[with_network], target)
        return f"sqlite:///{target}", with_network

    yield fresh


def _postgres_databases():
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.exit("STREHA_TEST_BACKEND=postgres needs TEST_DATABASE_URL", returncode=2)
    base_url = sa.make_url(normalise_database_url(base))
    name = f"streha_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = base_url.set(database=name).render_as_string(hide_password=False)
    _migrate(url)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        tables = [
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'alembic_version'"
            )
        ]

    with engine.connect() as connection:
        sequences = [row[0] for row in connection.exec_driver_sql(
            "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
        )]
        superuser = connection.exec_driver_sql("SHOW is_superuser").scalar() == "on"
    snapshot = _snapshot_network(url, engine, tables, sequences) if superuser else None

    def fresh(with_network=False):
        # TRUNCATE makes new files for every table (most of a second a test); DELETE with
        # triggers and foreign keys paused (superusers only) empties the same tables in ms,
        # and copies the network back from a snapshot schema instead of loading it again.
        with engine.begin() as connection:
            if not superuser:
                connection.exec_driver_sql(
                    f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"
                )
                return url, False
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table in tables:
                connection.exec_driver_sql(f'DELETE FROM "{table}"')
            for sequence in sequences:
                connection.exec_driver_sql(f'ALTER SEQUENCE "{sequence}" RESTART')
            if with_network:
                for table in tables:
                    connection.exec_driver_sql(
                        f'INSERT INTO "{table}" SELECT * FROM streha_snapshot."{table}"'
                    )
                for sequence, (value, called) in snapshot.items():
                    connection.exec_driver_sql(
                        f"SELECT setval('\"{sequence}\"', {value}, {called})"
                    )
        return url, with_network

    try:
        yield fresh
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _snapshot_network(url, engine, tables, sequences):
    """Load the network once and keep every table's rows in a schema of their own."""
    app = create_app(_base_config(url))
    with app.app_context():
        load_network(default_network())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE SCHEMA streha_snapshot")
        for table in tables:
            connection.exec_driver_sql(
                f'CREATE TABLE streha_snapshot."{table}" AS SELECT * FROM public."{table}"'
            )
        return {
            sequence: connection.exec_driver_sql(
                f'SELECT last_value, is_called FROM "{sequence}"'
            ).one()
            for sequence in sequences
        }


class ScanningClient(FlaskClient):
    """A test client that fails the test if any response carries a seeded coordinate."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        body = response.get_data(as_text=True) + str(dict(response.headers))
        leaked = leaked_coordinates(body)
        assert not leaked, f"response leaked a shelter coordinate: {response.request.path}"
        return response


class _LogCapture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def app(_database, request):
    url, preloaded = _database(with_network="network" in request.fixturenames)
    application = create_app(_base_config(url))
    application.extensions["streha_test_network_preloaded"] = preloaded
    application.test_client_class = ScanningClient
    capture = _LogCapture()
    logging.getLogger().addHandler(capture)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()
    logging.getLogger().removeHandler(capture)
    leaked = leaked_coordinates("\n".join(capture.lines))
    assert not leaked, "a log line carried a shelter coordinate"


@pytest.fixture
def client(app):
    return app.test_client()


def remember_coordinates():
    """Record every stored shelter location in the forms a leak would take."""
    from placement.models import Shelter

    for shelter in db.session.scalars(sa.select(Shelter)):
        for value in shelter_location(shelter):
            remember_coordinate(value)


def remember_coordinate(value):
    """Scan for a secret number; a short form (42.54) is also a public centroid, so not that."""
    SEEDED_COORDINATES.add(f"{value:.5f}")
    if len(repr(value).partition(".")[2]) >= 5:
        SEEDED_COORDINATES.add(repr(value))


@pytest.fixture
def network(app):
    """The shipped Kosovo network, loaded; returns {shelter code: shelter id}."""
    from placement.models import Shelter

    if not app.extensions["streha_test_network_preloaded"]:
        load_network(default_network())
        db.session.commit()
    remember_coordinates()
    return dict(db.session.execute(sa.select(Shelter.code, Shelter.id)).all())


@dataclass
class Caller:
    user_id: int
    username: str
    role: str
    token: str

    @property
    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_user(app):
    """make_user(role, organisation=..., shelters=[codes], region=...) -> Caller with a token."""
    counter = iter(range(1, 10_000))

    def make(role, organisation=None, shelters=(), region=None, username=None):
        if role == "case_manager" and organisation is None:
            organisation = "org-a"
        if role == "regional_coordinator" and region is None:
            region = "prishtine"
        name = username or f"{role}-{next(counter)}"
        user = accounts.create_user(name, PASSWORD, role, organisation, shelters, region)
        token, _row = accounts.issue_token(user)
        db.session.commit()
        return Caller(user.id, name, role, token)

    return make
