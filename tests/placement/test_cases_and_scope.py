"""Cases stay with their organisation; suspects never reach anyone else; retries create once."""

import json

import sqlalchemy as sa

from placement.extensions import db
from placement.models import Case
from tests.placement.workflow_helpers import case_body, open_request

SUSPECT = {"lat": 42.123456, "lon": 20.654321}


def test_case_codes_are_random_and_suspects_sealed_at_rest(client, network, make_user):
    manager = make_user("case_manager")
    codes = set()
    for _ in range(3):
        answer = client.post("/api/v1/cases", json=case_body(suspects=[SUSPECT]),
                             headers=manager.headers)
        assert answer.status_code == 201
        codes.add(answer.get_json()["code"])
        assert answer.get_json()["suspects"] == [SUSPECT]
    assert len(codes) == 3
    stored = db.session.scalars(sa.select(Case.suspects_sealed)).all()
    assert all("42.123456" not in value for value in stored)


def test_another_organisation_sees_nothing_of_the_case(client, network, make_user):
    mine = make_user("case_manager", organisation="org-a")
    theirs = make_user("case_manager", organisation="org-b")
    case, request = open_request(client, mine, suspects=[SUSPECT])
    for path in (f"/api/v1/cases/{case['id']}", f"/api/v1/placement-requests/{request['id']}",
                 f"/api/v1/placement-requests/{request['id']}/proposals"):
        answer = client.get(path, headers=theirs.headers)
        assert answer.status_code == 404, path
    assert client.patch(f"/api/v1/cases/{case['id']}", json={"risk": "high", "risk_reason": "x"},
                        headers=theirs.headers).status_code == 404
    assert client.get("/api/v1/cases", headers=theirs.headers).get_json() == []
    assert client.get("/api/v1/placement-requests", headers=theirs.headers).get_json() == []


def test_suspects_reach_no_other_role(client, network, make_user):
    owner = make_user("case_manager")
    _case, request = open_request(client, owner, suspects=[SUSPECT])
    hold = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                       json={"shelter_id": network["dv-prishtine"]}, headers=owner.headers)
    assert hold.status_code == 201
    others = [make_user("shelter_manager", shelters=["dv-prishtine"]),
              make_user("regional_coordinator"), make_user("national_coordinator")]
    for caller in others:
        for path in (f"/api/v1/placement-requests/{request['id']}",
                     f"/api/v1/holds/{hold.get_json()['id']}", "/api/v1/holds",
                     "/api/v1/placement-requests"):
            answer = client.get(path, headers=caller.headers)
            text = answer.get_data(as_text=True)
            assert "42.123456" not in text and "20.654321" not in text, (caller.role, path)
            assert "suspects" not in text
    admin = make_user("admin")
    assert client.get(f"/api/v1/placement-requests/{request['id']}",
                      headers=admin.headers).status_code == 403


def test_risk_reassessment_needs_a_reason_and_is_kept(client, network, make_user):
    manager = make_user("case_manager")
    case = client.post("/api/v1/cases", json=case_body(), headers=manager.headers).get_json()
    silent = client.patch(f"/api/v1/cases/{case['id']}", json={"risk": "high"},
                          headers=manager.headers)
    assert silent.status_code == 422
    assert "risk_reason" in silent.get_json()["message"]
    changed = client.patch(f"/api/v1/cases/{case['id']}",
                           json={"risk": "high", "risk_reason": "threats renewed"},
                           headers=manager.headers).get_json()
    assert [(a["risk"], a["reason"]) for a in changed["assessments"]] == [
        ("medium", "initial assessment"), ("high", "threats renewed")]


def test_bad_case_input_names_the_field(client, network, make_user):
    manager = make_user("case_manager")
    body = case_body()
    body["persons"] = [{"gender": "female", "age": 130, "role": "primary"}]
    body["name"] = "must not be accepted"
    answer = client.post("/api/v1/cases", json=body, headers=manager.headers)
    assert answer.status_code == 422
    message = answer.get_json()["message"]
    assert "persons.0.age" in message and "name" in message
    two_primaries = case_body(persons=[{"gender": "female", "age": 30, "role": "primary"},
                                       {"gender": "female", "age": 33, "role": "primary"}])
    assert client.post("/api/v1/cases", json=two_primaries,
                       headers=manager.headers).status_code == 422


def test_idempotency_key_creates_once_and_replays(client, network, make_user):
    manager = make_user("case_manager")
    headers = {**manager.headers, "Idempotency-Key": "case-2026-11-22-001"}
    first = client.post("/api/v1/cases", json=case_body(), headers=headers)
    second = client.post("/api/v1/cases", json=case_body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.headers["Idempotent-Replayed"] == "true"
    assert first.get_json()["code"] == second.get_json()["code"]
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 1
    different = client.post("/api/v1/cases", json=case_body(risk="high"), headers=headers)
    assert different.status_code == 422
    stored = db.session.execute(sa.text("SELECT body FROM idempotency_keys")).scalar()
    assert first.get_json()["code"] not in stored  # the kept answer is sealed


def test_idempotency_key_of_a_failed_request_can_be_retried(client, network, make_user):
    manager = make_user("case_manager")
    headers = {**manager.headers, "Idempotency-Key": "retry-me"}
    bad = client.post("/api/v1/cases", data=json.dumps({"category": "dv"}), headers=headers,
                      content_type="application/json")
    assert bad.status_code == 422
    # The failed attempt left nothing behind, its key included: the corrected retry goes through.
    good = client.post("/api/v1/cases", json=case_body(), headers=headers)
    assert good.status_code == 201
    assert "Idempotent-Replayed" not in good.headers
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 1


def test_lists_come_in_pages_with_the_total(client, network, make_user):
    manager = make_user("case_manager")
    for _ in range(3):
        open_request(client, manager, suspects=[])
    for path in ("/api/v1/cases", "/api/v1/placement-requests"):
        first = client.get(f"{path}?limit=2", headers=manager.headers)
        rest = client.get(f"{path}?limit=2&offset=2", headers=manager.headers)
        assert first.headers["X-Total-Count"] == "3"
        assert len(first.get_json()) == 2 and len(rest.get_json()) == 1
        ids = [row["id"] for row in first.get_json() + rest.get_json()]
        assert ids == sorted(ids, reverse=True)
        assert client.get(f"{path}?limit=501", headers=manager.headers).status_code == 422
