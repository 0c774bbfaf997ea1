"""What a run keeps for a request it leaves unplaced (the exclusions summed up by rule, in a size
that does not grow with the network), and its proposals answered a page at a time."""

import json

import pytest
import sqlalchemy as sa

from placement import clock
from placement.extensions import db
from placement.models import Proposal
from tests.placement.test_shelter_list import add_generated_shelters
from tests.placement.workflow_helpers import open_request

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]
# Twelve women: no room anywhere holds them together.
CROWD = [{"gender": "female", "age": 30 + k, "role": "primary" if k == 0 else "adult",
          "languages": ["sq"]} for k in range(12)]
MORE_SHELTERS = 300


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response


def _run(client, coordinator):
    return _ok(client.post("/api/v1/optimizer/runs", json={"time_limit": 5},
                           headers=coordinator.headers), 202).get_json()


def _stored(run_id, request_id):
    return db.session.scalar(sa.select(Proposal.explanation).where(
        Proposal.run_id == run_id, Proposal.request_id == request_id))


def test_an_unplaced_request_keeps_a_summary_whose_size_does_not_grow_with_the_network(
        client, network, make_user):
    add_generated_shelters(MORE_SHELTERS)
    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    _case, crowd = open_request(client, case_manager, category="thb", risk="low", persons=CROWD,
                                suspects=[])
    run = _run(client, national)
    stored = _stored(run["id"], crowd["id"])
    shelters = len(network) + MORE_SHELTERS
    assert stored["excluded_total"] == shelters
    # The same summary as the request's live proposals count (one function says both).
    live = _ok(client.get(f"/api/v1/placement-requests/{crowd['id']}/proposals",
                          headers=case_manager.headers)).get_json()
    assert stored["excluded_by_rule"] == live["excluded_by_rule"]
    assert stored["excluded_total"] == live["excluded_total"]
    assert sum(entry["shelters"] for entry in stored["excluded_by_rule"]) >= shelters
    assert all(len(entry["examples"]) <= 3 for entry in stored["excluded_by_rule"])
    # A bed relaxation for each generated shelter (one more bed in its room of two would not
    # do; a group of twelve needs ten): only the first few are kept, all of them counted.
    assert len(stored["relaxations"]) <= 25
    assert stored["relaxations_total"] == live["relaxations_total"]
    # Every shelter's own exclusion (over 60 KB here, 600 KB at 2,500 shelters) is not kept.
    assert "excluded" not in stored
    assert len(json.dumps(stored)) < 12_000


def test_a_runs_proposals_are_answered_a_page_at_a_time(client, network, make_user):
    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    asked = [open_request(client, case_manager, category="thb", risk="low", persons=WOMAN,
                          suspects=[])[1]["id"] for _ in range(5)]
    run = _run(client, national)
    assert run["proposals_total"] == 5
    path = f"/api/v1/optimizer/runs/{run['id']}"
    whole = _ok(client.get(path, headers=national.headers))
    assert [p["request_id"] for p in whole.get_json()["proposals"]] == sorted(asked)
    assert whole.headers["X-Total-Count"] == "5"
    page = _ok(client.get(f"{path}?limit=2&offset=1", headers=national.headers))
    assert page.get_json()["proposals"] == whole.get_json()["proposals"][1:3]
    assert page.headers["X-Total-Count"] == "5" and page.get_json()["proposals_total"] == 5
    assert page.get_json()["summary"] == whole.get_json()["summary"]
    beyond = _ok(client.get(f"{path}?offset=5", headers=national.headers)).get_json()
    assert beyond["proposals"] == [] and beyond["proposals_total"] == 5


def test_without_a_limit_a_run_answers_fifty_proposals(app, client, network, make_user):
    # Sixty requests of one case manager: past the quotas on open requests, not tested here.
    app.config.update(QUOTA_OPEN_REQUESTS_PER_ACCOUNT=0, QUOTA_OPEN_REQUESTS_PER_ORGANISATION=0)
    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    run = _run(client, national)  # over an empty queue; its proposals are written below
    asked = [open_request(client, case_manager, persons=WOMAN, suspects=[])[1]["id"]
             for _ in range(60)]
    db.session.add_all(Proposal(run_id=run["id"], request_id=request_id, explanation={},
                                created_at=clock.now()) for request_id in asked)
    db.session.commit()
    answer = _ok(client.get(f"/api/v1/optimizer/runs/{run['id']}", headers=national.headers))
    assert [p["request_id"] for p in answer.get_json()["proposals"]] == asked[:50]
    assert answer.headers["X-Total-Count"] == "60"


@pytest.mark.parametrize("field, value", [("limit", 0), ("limit", 501), ("limit", "ten"),
                                          ("offset", -1), ("offset", 1_000_001)])
def test_a_bad_page_of_a_run_is_refused_naming_the_field(client, network, make_user, field,
                                                         value):
    national = make_user("national_coordinator")
    run = _run(client, national)
    answer = client.get(f"/api/v1/optimizer/runs/{run['id']}", query_string={field: value},
                        headers=national.headers)
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.get_json()["errors"]["query"]


def test_the_run_document_says_its_proposals_are_paged(client):
    document = client.get("/api/v1/openapi.json").get_json()
    get = document["paths"]["/api/v1/optimizer/runs/{run_id}"]["get"]
    assert {p["name"] for p in get["parameters"] if p["in"] == "query"} >= {"limit", "offset"}
    assert "X-Total-Count" in get["description"] or "X-Total-Count" in get["summary"]
