"""The audit log's chains: commits do not queue behind one another's chain, a chain deleted
whole is missed, and a log written before chains still verifies after the upgrade."""

import hashlib
import hmac
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from placement import create_app
from placement.extensions import db
from placement.models import AuditEvent, AuditHead
from placement.services import audit
from placement.services.audit_verify import verify
from tests.placement.conftest import BACKEND, SECRET_KEYS
from tests.placement.test_audit import rows_for, tamper, write_events

postgres_only = pytest.mark.skipif(BACKEND != "postgres", reason="chains side by side need "
                                   "PostgreSQL's row locks (SQLite has one writer at a time)")


def chains_of_rows():
    query = sa.select(AuditEvent.chain, sa.func.count()).group_by(AuditEvent.chain)
    return dict(db.session.execute(query).all())


def commit_while_chain_one_is_held(count):
    """Write `count` events while another transaction holds chain 1's head, as a commit in
    progress does; with one global lock they would wait for it (here: fail after 3 s)."""
    holder = db.engine.connect()
    try:
        holder.execute(sa.select(AuditHead).where(AuditHead.chain == 1).with_for_update()).all()
        db.session.execute(sa.text("SET LOCAL lock_timeout = '3s'"))
        write_events(count, "test.beside")
    finally:
        holder.rollback()
        holder.close()


@postgres_only
def test_a_commit_goes_ahead_while_another_holds_a_chain(app):
    write_events(2)
    commit_while_chain_one_is_held(3)
    assert chains_of_rows() == {1: 2, 2: 3}
    verdict = verify()
    assert verdict.ok and verdict.rows == 5, verdict.summary()
    # Every chain has its head, each vouching for all of them.
    heads = db.session.scalars(sa.select(AuditHead)).all()
    assert {h.chain for h in heads} == set(range(1, audit.CHAINS["postgresql"] + 1))
    assert {h.chains for h in heads} == {audit.CHAINS["postgresql"]}


@postgres_only
def test_a_chain_deleted_whole_is_missed_by_the_other_heads(app):
    write_events(2)
    commit_while_chain_one_is_held(3)
    tamper("DELETE FROM audit_events WHERE chain = 2")
    tamper("DELETE FROM audit_heads WHERE chain = 2")
    verdict = verify()
    assert (verdict.ok, verdict.chain) == (False, 2), verdict.summary()
    assert "head is missing" in verdict.problem


@postgres_only
def test_a_row_moved_to_another_chain_is_found(app):
    write_events(2)
    commit_while_chain_one_is_held(3)
    # The newest row of chain 1 moved to the end of chain 2, heads adjusted: its HMAC names
    # its chain and position.
    last = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.chain == 2)
                             .order_by(AuditEvent.position.desc()))
    tamper("UPDATE audit_events SET chain = 2, position = 4, prev_hash = :h WHERE chain = 1"
           " AND position = 2", h=last.hash)
    verdict = verify()
    assert not verdict.ok, verdict.summary()


def legacy_row(seq, prev_hash, key):
    """A row as the code before chains wrote it: chain 1, position = seq, the v1 encoding."""
    values = {"seq": seq, "chain": 1, "position": seq, "at": datetime(2026, 11, 1, 9, 0, seq),
              "actor_id": None, "actor_role": None, "action": "test.legacy",
              "object_type": "thing", "object_id": str(seq), "outcome": "ok", "detail": None,
              "request_id": None, "prev_hash": prev_hash}
    digest = hmac.new(key, audit._canonical_v1(values), hashlib.sha256).hexdigest()
    return {name: value for name, value in values.items() if name not in ("chain", "position")
            } | {"hash": digest}


@pytest.mark.skipif(BACKEND != "sqlite", reason="migrates a database file of its own")
def test_a_log_written_before_chains_verifies_after_the_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    application = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, **SECRET_KEYS})
    key = SECRET_KEYS["AUDIT_HMAC_KEY"].encode()
    with application.app_context():
        upgrade(revision="e10c1lifecycle")
        rows, last = [], audit.GENESIS
        for seq in (1, 2, 3):
            rows.append(legacy_row(seq, last, key))
            last = rows[-1]["hash"]
        signature = hmac.new(key, f"audit-head-v1|3|{last}".encode(), hashlib.sha256).hexdigest()
        with db.engine.begin() as connection:
            connection.execute(sa.table("audit_events", *[sa.column(n) for n in rows[0]])
                               .insert(), rows)
            connection.exec_driver_sql(
                "INSERT INTO audit_head (id, seq, hash, signature, updated_at) VALUES"
                f" (1, 3, '{last}', '{signature}', '2026-11-01 09:00:03')")
        upgrade()
        verdict = verify()
        assert verdict.ok and verdict.rows == 3, verdict.summary()
        write_events(2, "test.after")
        verdict = verify()
        assert verdict.ok and verdict.rows == 5, verdict.summary()
        tamper("UPDATE audit_events SET object_id = '9' WHERE seq = 2")
        verdict = verify()
        assert (verdict.ok, verdict.chain, verdict.position) == (False, 1, 2), verdict.summary()
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("position", [0, -1])
def test_a_row_inserted_before_a_chains_first_position_is_found(app, position):
    """An INSERT is all the append-only triggers allow; a forged row below position 1 must not
    hide from the walk (found in review: the walk used to start at position 1)."""
    write_events(3)
    first = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.chain == 1)
                              .order_by(AuditEvent.position))
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO audit_events (seq, chain, position, at, actor_id, actor_role, action,"
            " object_type, object_id, outcome, detail, request_id, prev_hash, hash)"
            " VALUES (99, 1, :position, :at, NULL, NULL, 'case.read', 'case', '7', 'ok', NULL,"
            " NULL, :prev, :hash)"), {"position": position, "at": first.at,
                                      "prev": "0" * 64, "hash": "f" * 64})
    verdict = verify()
    assert (verdict.ok, verdict.chain, verdict.position) == (False, 1, 1), verdict.summary()
    assert "inserted" in verdict.problem


def statements_of(events, action):
    """The first words of the statements an audited commit of `events` events runs."""
    seen = []

    def count(_connection, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()[:4]))

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        write_events(events, action)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return seen


@postgres_only
def test_an_audited_commit_is_two_statements(app):
    """Every audited commit (each write, each read of case data) locks a free head and numbers
    its rows in one statement, then inserts the rows and moves the head in another; with a
    chain held by another commit too, and the numbers still increase along the log."""
    write_events(2)  # every chain has its head
    for events in (1, 3):
        assert statements_of(events, "test.counted") == [
            "WITH free_head AS (SELECT", "WITH appended AS (INSERT"]
    commit_while_chain_one_is_held(2)
    seqs = [row.seq for row in rows_for("test.counted") + rows_for("test.beside")]
    assert seqs == sorted(seqs) and len(set(seqs)) == 6
    verdict = verify()
    assert verdict.ok and verdict.rows == 8, verdict.summary()
    heads = {h.chain: h for h in db.session.scalars(sa.select(AuditHead))}
    last = rows_for("test.counted")[-1]
    assert (heads[last.chain].position, heads[last.chain].hash) == (last.position, last.hash)


@postgres_only
def test_a_large_append_inserts_its_rows_in_batches_and_still_verifies(app, monkeypatch):
    monkeypatch.setattr(audit, "ROWS_IN_ONE_STATEMENT", 2)
    write_events(2)
    batch = "INSERT INTO audit_events (seq,"
    assert statements_of(5, "test.large") == [
        "WITH free_head AS (SELECT", batch, batch, "WITH appended AS (INSERT"]
    assert [row.position for row in rows_for("test.large")] == [3, 4, 5, 6, 7]
    verdict = verify()
    assert verdict.ok and verdict.rows == 7, verdict.summary()
