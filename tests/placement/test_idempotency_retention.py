"""Kept Idempotency-Key answers: closing the case blanks them, and they expire after a day."""

from datetime import timedelta

import sqlalchemy as sa

from placement import clock, jobs
from placement.extensions import db
from placement.models import Case, IdempotencyKey
from tests.placement.workflow_helpers import case_body, refreshed

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]
SUSPECT = {"lat": 42.071234, "lon": 20.661234}
NOTE = "she fears the brother-in-law at Rruga e Dardaneve"


def _create(client, caller, key, **fields):
    body = case_body(persons=WOMAN, suspects=[SUSPECT], notes=NOTE, **fields)
    return client.post("/api/v1/cases", json=body,
                       headers={**caller.headers, "Idempotency-Key": key}), body


def test_a_closed_cases_data_does_not_come_back_through_a_replay(client, network, make_user):
    manager = make_user("case_manager")
    first, body = _create(client, manager, "case-1")
    assert first.status_code == 201 and first.get_json()["notes"] == NOTE
    case_id = first.get_json()["id"]
    request = client.post("/api/v1/placement-requests",
                          json={"case_id": case_id, "urgency": "urgent",
                                "current_municipality": "prishtine"},
                          headers={**manager.headers, "Idempotency-Key": "request-1"})
    assert request.status_code == 201
    closed = client.post(f"/api/v1/cases/{case_id}/close", json={"reason": "returned home"},
                         headers=manager.headers)
    assert closed.status_code == 200, closed.get_json()

    replay = client.post("/api/v1/cases", json=body,
                         headers={**manager.headers, "Idempotency-Key": "case-1"})
    assert replay.status_code == 409
    text = replay.get_data(as_text=True)
    assert NOTE not in text and "071234" not in text and "open" not in text
    again = client.post("/api/v1/placement-requests",
                        json={"case_id": case_id, "urgency": "urgent",
                              "current_municipality": "prishtine"},
                        headers={**manager.headers, "Idempotency-Key": "request-1"})
    assert again.status_code == 409
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 1
    kept = list(db.session.scalars(sa.select(IdempotencyKey.body)))
    assert kept == [None, None]


def test_an_answer_kept_as_the_case_closed_is_blanked_by_the_job(client, network, make_user):
    manager = make_user("case_manager")
    first, body = _create(client, manager, "case-2")
    case_id = first.get_json()["id"]
    # The close blanked nothing here: the answer was written in the instant after (a race).
    db.session.execute(sa.update(Case).where(Case.id == case_id).values(status="closed",
                                                                     closed_at=clock.now()))
    db.session.commit()
    replay = client.post("/api/v1/cases", json=body,
                         headers={**manager.headers, "Idempotency-Key": "case-2"})
    assert replay.status_code == 409 and NOTE not in replay.get_data(as_text=True)
    assert jobs.run("purge_idempotency_keys").summary == "expired 0, closed cases 1"
    assert jobs.run("purge_idempotency_keys").summary == "expired 0, closed cases 0"
    assert db.session.scalar(sa.select(IdempotencyKey.body)) is None


def test_kept_answers_expire_after_a_day_and_the_job_deletes_them(client, network, make_user):
    manager = make_user("case_manager")
    first, body = _create(client, manager, "case-3")
    _create(client, manager, "case-4")
    clock.set_offset(timedelta(hours=23, minutes=59))
    manager = refreshed(manager)
    assert jobs.run("purge_idempotency_keys").summary == "expired 0, closed cases 0"
    replay = client.post("/api/v1/cases", json=body,
                         headers={**manager.headers, "Idempotency-Key": "case-3"})
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"

    clock.set_offset(timedelta(hours=24, minutes=1))
    manager = refreshed(manager)
    # Past its time a key is free, job or no job: the same POST is a new case.
    fresh = client.post("/api/v1/cases", json=body,
                        headers={**manager.headers, "Idempotency-Key": "case-3"})
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers
    assert fresh.get_json()["id"] != first.get_json()["id"]
    assert jobs.run("purge_idempotency_keys").summary == "expired 1, closed cases 0"
    assert jobs.run("purge_idempotency_keys").summary == "expired 0, closed cases 0"
    db.session.expire_all()
    assert list(db.session.scalars(sa.select(IdempotencyKey.key))) == ["case-3"]


def test_the_lifetime_is_configurable(app, client, network, make_user):
    app.config["IDEMPOTENCY_TTL"] = timedelta(hours=1)
    manager = make_user("case_manager")
    _create(client, manager, "case-5")
    clock.set_offset(timedelta(minutes=61))
    assert jobs.run("purge_idempotency_keys").summary == "expired 1, closed cases 0"
