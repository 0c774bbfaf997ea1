"""The audit log: what is written, that it is append-only, and that verify finds each tampering."""

import threading

import pytest
import sqlalchemy as sa
from flask import g

from placement.extensions import db
from placement.models import AuditEvent, AuditHead
from placement.services import audit
from placement.services.audit_verify import verify
from tests.placement.conftest import PASSWORD


@pytest.fixture
def client(app):
    """A client whose requests do not inherit the last request's user.

    The `app` fixture keeps one app context open for the whole test, and Flask reuses it for each
    request, so `g.user` would otherwise carry over from one request to the next.
    """

    class FreshClient(app.test_client_class):
        def open(self, *args, **kwargs):
            for name in ("user", "token_row"):
                g.pop(name, None)
            return super().open(*args, **kwargs)

    return FreshClient(app, app.response_class, use_cookies=True)


TRIGGERS = ("audit_events_no_update", "audit_events_no_delete", "audit_heads_no_delete")


def tamper(sql, **params):
    """Change the log behind the service's back, as someone with database access could."""
    db.session.remove()
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            for trigger in TRIGGERS:
                connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
        connection.execute(sa.text(sql), params)


def write_events(count, action="test.event"):
    for n in range(count):
        audit.record(action, "thing", n + 1)
    db.session.commit()


def actions():
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.seq)))


def rows_for(action):
    query = sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    return list(db.session.scalars(query))


def test_events_are_chained_and_the_head_is_signed(app):
    write_events(5)
    rows = list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)))
    assert [row.seq for row in rows] == [1, 2, 3, 4, 5]
    # One writer at a time: one chain, in the order of the log.
    assert [(row.chain, row.position) for row in rows] == [(1, n) for n in range(1, 6)]
    assert rows[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))
    head = db.session.get(AuditHead, 1)
    assert (head.position, head.hash) == (5, rows[-1].hash)
    verdict = verify()
    assert verdict.ok and verdict.rows == 5, verdict.summary()


def test_an_event_of_a_rolled_back_transaction_is_not_written(app):
    audit.record("test.event", "thing", 1)
    db.session.rollback()
    write_events(1, "test.kept")
    assert actions() == ["test.kept"]


def test_update_and_delete_are_refused_by_the_database(app):
    write_events(2)
    for statement in (
        "UPDATE audit_events SET action = 'x' WHERE seq = 1",
        "DELETE FROM audit_events WHERE seq = 2",
        "DELETE FROM audit_heads",
    ):
        with pytest.raises(sa.exc.DatabaseError), db.engine.begin() as connection:
            connection.exec_driver_sql(statement)
    assert verify().ok


def test_concurrent_appends_keep_every_chain_linear(app):
    def writer(n):
        with app.app_context():
            for _ in range(5):
                audit.record("test.concurrent", "thread", n)
                db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    verdict = verify()
    assert verdict.ok and verdict.rows == 30, verdict.summary()
    seqs = list(db.session.scalars(sa.select(AuditEvent.seq).order_by(AuditEvent.seq)))
    assert len(set(seqs)) == 30


@pytest.mark.parametrize(
    ("sql", "bad_position", "words"),
    [
        ("UPDATE audit_events SET object_id = '99' WHERE seq = 3", 3, "hash does not match"),
        ("UPDATE audit_events SET outcome = 'denied', hash = :fake WHERE seq = 3", 3, "hash"),
        ("UPDATE audit_events SET seq = 30 WHERE seq = 3", 3, "hash does not match"),
        ("DELETE FROM audit_events WHERE seq = 3", 3, "missing"),
        ("DELETE FROM audit_events WHERE seq >= 4", 4, "cut"),
        ("UPDATE audit_heads SET position = 3, hash = :fake", 3, "signature"),
        ("UPDATE audit_heads SET chains = NULL", 5, "signature"),
    ],
    ids=["edited", "edited-rehashed", "renumbered", "deleted", "cut-tail", "head-rewritten",
         "head-chains-removed"],
)
def test_verify_names_the_first_bad_position(app, sql, bad_position, words):
    write_events(5)
    tamper(sql, fake="f" * 64)
    verdict = verify()
    assert not verdict.ok
    assert (verdict.chain, verdict.position) == (1, bad_position), verdict.summary()
    assert words in verdict.problem


def test_verify_catches_reordered_rows(app):
    write_events(5)
    rows = {row.seq: row for row in db.session.scalars(sa.select(AuditEvent))}
    # The content moves; each row keeps its seq, chain and position.
    columns = [n for n in audit.FIELDS if n not in ("seq", "chain", "position")] + ["hash"]
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    second, third = rows[2], rows[3]
    swapped = {
        2: {name: getattr(third, name) for name in columns},
        3: {name: getattr(second, name) for name in columns},
    }
    tamper(f"UPDATE audit_events SET hash = 'x{'0' * 63}' WHERE seq = 2")
    for seq in (3, 2):
        tamper(f"UPDATE audit_events SET {assignments} WHERE seq = {seq}", **swapped[seq])
    verdict = verify()
    assert (verdict.ok, verdict.position) == (False, 2), verdict.summary()


def test_verify_catches_a_row_forged_without_the_key(app):
    write_events(3)
    last = db.session.get(AuditEvent, 3)
    values = {name: getattr(last, name) for name in audit.FIELDS}
    values.update(seq=4, position=4, action="hold.create", prev_hash=last.hash)
    forged_hash = audit.row_hash(values, key=b"not-the-key")
    columns = ", ".join([*audit.FIELDS, "hash"])
    placeholders = ", ".join(f":{name}" for name in [*audit.FIELDS, "hash"])
    tamper(
        f"INSERT INTO audit_events ({columns}) VALUES ({placeholders})", **values, hash=forged_hash
    )
    verdict = verify()
    assert (verdict.ok, verdict.position) == (False, 4), verdict.summary()
    # And when the forger also moves the head, without the key its signature gives it away.
    chains = db.session.get(AuditHead, 1).chains
    signature = audit.head_signature(1, 4, forged_hash, chains, key=b"not-the-key")
    tamper("UPDATE audit_heads SET position = 4, hash = :h, signature = :s WHERE chain = 1",
           h=forged_hash, s=signature)
    verdict = verify()
    assert (verdict.ok, verdict.position) == (False, 4), verdict.summary()


def test_cli_verify_exits_zero_when_intact_and_one_naming_the_seq(app):
    write_events(4)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "intact: 4 rows" in result.output
    tamper("DELETE FROM audit_events WHERE seq = 2")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken in chain 1 at position 2" in result.output


def login(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_logins_failed_logins_and_logout_are_audited_without_the_username(app, client, make_user):
    caller = make_user("admin", username="audited-admin")
    token = login(client, "audited-admin").get_json()["token"]
    assert login(client, "audited-admin", "wrong password!").status_code == 401
    assert login(client, "nobody-by-this-name").status_code == 401
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    seen = [
        (r.action, r.actor_id, r.object_id, r.outcome)
        for r in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.like("auth.%")))
    ]
    assert seen[0][:2] == ("auth.login", caller.user_id)
    assert seen[1] == ("auth.login_failed", None, str(caller.user_id), "failed")
    assert seen[2] == ("auth.login_failed", None, None, "failed")
    assert seen[3][:2] == ("auth.logout", caller.user_id)
    # One row per refused login: the 401 that follows is not written a second time.
    assert rows_for("access.denied") == []
    everything = " ".join(str(row.__dict__) for row in db.session.scalars(sa.select(AuditEvent)))
    assert "nobody-by-this-name" not in everything and "audited-admin" not in everything


def test_denied_access_is_audited_though_the_request_rolls_back(app, client, make_user, network):
    case_manager = make_user("case_manager")
    shelter_manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    other = network["thb-drita"]
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/audit", headers=case_manager.headers).status_code == 403
    response = client.get(f"/api/v1/shelters/{other}", headers=shelter_manager.headers)
    assert response.status_code == 404
    denied = [(r.actor_id, r.object_type, r.object_id, r.detail) for r in rows_for("access.denied")]
    assert denied == [
        (None, "auth.Me", None, "GET 401"),
        (case_manager.user_id, "audit.AuditLog", None, "GET 403"),
        (shelter_manager.user_id, "shelters.ShelterById", str(other), "GET 404"),
    ]
    assert all(r.outcome == "denied" and r.request_id for r in rows_for("access.denied"))
    assert verify().ok


def test_capacity_changes_are_audited_with_their_actor(app, client, make_user, network):
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    shelter_id = network["dv-prishtine"]
    rooms = client.get(f"/api/v1/shelters/{shelter_id}/rooms", headers=manager.headers).get_json()
    bed = next(b for room in rooms for b in room["beds"] if b["status"] == "available")
    body = {"status": "out_of_service", "reason": "broken frame"}
    assert (
        client.patch(f"/api/v1/beds/{bed['id']}", json=body, headers=manager.headers).status_code
        == 200
    )
    assert (
        client.post(f"/api/v1/shelters/{shelter_id}/confirm", headers=manager.headers).status_code
        == 200
    )
    body = {"code": "Z9", "kind": "adult", "gender": "female", "beds": 2}
    added = client.post(f"/api/v1/shelters/{shelter_id}/rooms", json=body, headers=manager.headers)
    assert added.status_code == 201
    changes = [
        (r.action, r.object_type, r.detail)
        for r in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.actor_id == manager.user_id)
        )
        if r.action != "auth.login"
    ]
    assert changes[0] == ("bed.update", "bed", "available>out_of_service")
    assert changes[1] == ("shelter.confirm", "shelter", None)
    assert [c[0] for c in changes[2:]] == ["room.add", "bed.add", "bed.add"]
    assert "broken frame" not in str([r.__dict__ for r in rows_for("bed.update")])


def test_a_refused_change_leaves_no_change_row(app, client, make_user, network):
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    shelter_id = network["dv-prishtine"]
    rooms = client.get(f"/api/v1/shelters/{shelter_id}/rooms", headers=manager.headers).get_json()
    room = next(r for r in rooms if r["kind"] == "adult" and r["gender"] != "male")
    bed = room["beds"][0]
    resident = {"gender": "female", "age": 30, "group": "g1"}
    url = f"/api/v1/beds/{bed['id']}"
    assert client.post(f"{url}/resident", json=resident, headers=manager.headers).status_code == 201
    before = len(rows_for("bed.remove"))
    response = client.delete(url, headers=manager.headers)
    assert response.status_code == 409
    assert len(rows_for("bed.remove")) == before


def test_audit_endpoint_is_for_the_administrator_with_filters(app, client, make_user, network):
    admin = make_user("admin")
    for role in ("case_manager", "regional_coordinator", "national_coordinator"):
        assert client.get("/api/v1/audit", headers=make_user(role).headers).status_code == 403
    write_events(7, "test.listed")
    response = client.get(
        "/api/v1/audit?action=test.listed&limit=3&offset=1", headers=admin.headers
    )
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "7"
    body = response.get_json()
    assert [row["object_id"] for row in body] == ["6", "5", "4"]
    assert set(body[0]) >= {"seq", "at", "actor_id", "action", "outcome", "request_id", "hash"}
    prefix = client.get("/api/v1/audit?action=access.", headers=admin.headers).get_json()
    assert [row["action"] for row in prefix] == ["access.denied"] * 3
    mine = client.get(f"/api/v1/audit?actor={admin.user_id}", headers=admin.headers).get_json()
    assert {row["actor_id"] for row in mine} == {admin.user_id}
    late = client.get("/api/v1/audit?since=2999-01-01T00:00:00Z", headers=admin.headers)
    assert late.get_json() == []
    assert client.get("/api/v1/audit?limit=501", headers=admin.headers).status_code == 422
    assert rows_for("audit.read")
