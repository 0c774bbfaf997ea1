"""SQLite: read-only requests begin without the write lock, and still write what they must.

A GET or HEAD begins a deferred (read) transaction, so it neither waits for a writer nor makes
writers wait; its rare writes (an audit row, a token's last use) take the write lock at the
first write. Every other request, job and command takes the write lock at BEGIN.
"""

import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from placement import extensions
from placement.extensions import db
from placement.models import AuditEvent, Shelter
from placement.services import audit
from placement.services.audit_verify import verify
from tests.placement.conftest import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite's write lock")


def other_connection():
    """A second connection to the same file that waits for no lock (timeout 0)."""
    connection = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
    return connection


def write_lock_is_free():
    connection = other_connection()
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


def test_a_get_answers_while_another_connection_holds_the_write_lock(app, client, make_user,
                                                                   network):
    caller = make_user("national_coordinator")
    db.session.commit()
    writer = other_connection()
    writer.execute("BEGIN IMMEDIATE")
    try:
        response = client.get("/api/v1/shelters", headers=caller.headers)
        assert response.status_code == 200
        assert len(response.get_json()) == len(network)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_get_leaves_the_write_lock_free_and_a_post_takes_it(app, network):
    db.session.commit()
    with app.test_request_context("/api/v1/shelters", method="GET"):
        db.session.scalars(sa.select(Shelter)).all()
        assert write_lock_is_free()
        db.session.rollback()
    with app.test_request_context("/api/v1/shelters", method="POST"):
        db.session.scalars(sa.select(Shelter)).all()
        assert not write_lock_is_free()
        db.session.rollback()


def test_a_get_that_writes_after_another_writer_committed_still_commits(app, network):
    """A read transaction that another writer overtook cannot be upgraded in place (SQLite
    answers SQLITE_BUSY at once): its first write begins again with the write lock."""
    db.session.commit()
    with app.test_request_context("/api/v1/cases/1", method="GET"):
        db.session.scalars(sa.select(Shelter)).all()
        writer = other_connection()
        writer.execute("UPDATE shelters SET version = version + 1")
        writer.close()
        audit.record("case.read", "case", 1)
        db.session.commit()
    newest = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.seq.desc()))
    assert newest.first() == "case.read"
    assert verify().ok


def test_a_waiting_writer_begins_as_soon_as_the_write_lock_is_freed(app, network):
    """SQLite's own busy handler sleeps up to 100 ms between tries: a writer that found the lock
    taken began up to 50 ms after its release here. It now tries again within 4 ms."""
    db.session.commit()
    locked, released, path = threading.Event(), [], db.engine.url.database

    def hold_then_release():
        writer = sqlite3.connect(path, timeout=0, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(0.2)  # just past SQLite's try at 178 ms: its next one is at 228 ms
        writer.execute("ROLLBACK")
        released.append(time.monotonic())
        writer.close()

    thread = threading.Thread(target=hold_then_release)
    thread.start()
    try:
        assert locked.wait(5)
        with app.test_request_context("/api/v1/shelters", method="POST"):
            db.session.scalars(sa.select(Shelter)).all()  # waits for the write lock
            began = time.monotonic()
            db.session.rollback()
    finally:
        thread.join()
    assert began - released[0] < 0.015


def test_a_writer_still_gives_up_after_the_busy_timeout(app, network, monkeypatch):
    monkeypatch.setattr(extensions, "BUSY_TIMEOUT_MS", 100)
    db.session.commit()
    writer = other_connection()
    writer.execute("BEGIN IMMEDIATE")
    try:
        with app.test_request_context("/api/v1/shelters", method="POST"):
            started = time.monotonic()
            with pytest.raises(sa.exc.OperationalError):
                db.session.scalars(sa.select(Shelter)).all()
            assert 0.1 <= time.monotonic() - started < 2
            db.session.rollback()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_run_reads_its_queue_and_builds_its_instance_without_the_write_lock(
        app, client, network, make_user, monkeypatch):
    """The API's writes do not wait while a run builds; the run still stores its answer."""
    from placement.services import runs
    from tests.placement.workflow_helpers import open_request

    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    _case, request = open_request(client, case_manager, suspects=[])
    run = runs.queue_run(db.session.get(runs.User, national.user_id))
    db.session.commit()
    building, seen = runs.build_instance, []

    def noting(*args, **kwargs):
        seen.append(write_lock_is_free())
        return building(*args, **kwargs)

    monkeypatch.setattr(runs, "build_instance", noting)
    assert runs.execute_run(run.id) == "succeeded"
    assert seen == [True]
    stored = db.session.get(runs.OptimizerRun, run.id)
    assert [p.request_id for p in stored.proposals] == [request["id"]]
