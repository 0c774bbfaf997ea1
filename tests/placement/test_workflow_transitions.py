"""Every transition of requests, holds and placements, and every illegal one answering 409."""

import pytest

from tests.placement.workflow_helpers import open_request

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]


@pytest.fixture
def actors(network, make_user):
    return {
        "case": make_user("case_manager"),
        "shelter": make_user("shelter_manager", shelters=["dv-prishtine", "dv-gjilan"]),
        "other_shelter": make_user("shelter_manager", shelters=["dv-prizren"]),
    }


def _hold(client, caller, request_id, shelter_id):
    return client.post(f"/api/v1/placement-requests/{request_id}/holds",
                       json={"shelter_id": shelter_id}, headers=caller.headers)


def _state(client, caller, request_id):
    return client.get(f"/api/v1/placement-requests/{request_id}", headers=caller.headers).get_json()


def test_two_parallel_holds_at_most_and_acceptance_releases_the_other(client, network, actors):
    _case, request = open_request(client, actors["case"], persons=WOMAN, suspects=[])
    first = _hold(client, actors["case"], request["id"], network["dv-prishtine"]).get_json()
    second = _hold(client, actors["case"], request["id"], network["dv-gjilan"]).get_json()
    third = _hold(client, actors["case"], request["id"], network["dv-prizren"])
    assert third.status_code == 409
    assert "at most 2" in third.get_json()["message"]

    accepted = client.post(f"/api/v1/holds/{second['id']}/accept",
                           headers=actors["shelter"].headers)
    assert accepted.status_code == 200
    state = _state(client, actors["case"], request["id"])
    assert state["status"] == "accepted"
    assert {h["id"]: h["status"] for h in state["holds"]} == {
        first["id"]: "released", second["id"]: "accepted"}
    again = client.post(f"/api/v1/holds/{first['id']}/accept", headers=actors["shelter"].headers)
    assert again.status_code == 409
    assert again.get_json()["errors"]["state"] == "released"


def test_decline_returns_the_request_to_the_queue_with_its_reason(client, network, actors):
    _case, request = open_request(client, actors["case"], persons=WOMAN, suspects=[])
    hold = _hold(client, actors["case"], request["id"], network["dv-prishtine"]).get_json()
    missing = client.post(f"/api/v1/holds/{hold['id']}/decline", json={},
                          headers=actors["shelter"].headers)
    assert missing.status_code == 422
    assert "reason" in missing.get_json()["message"]
    declined = client.post(f"/api/v1/holds/{hold['id']}/decline",
                           json={"reason": "safety_concern", "note": "known to a resident"},
                           headers=actors["shelter"].headers)
    assert declined.status_code == 200
    assert declined.get_json()["decline_reason"] == "safety_concern"
    assert _state(client, actors["case"], request["id"])["status"] == "open"
    twice = client.post(f"/api/v1/holds/{hold['id']}/decline", json={"reason": "other"},
                        headers=actors["shelter"].headers)
    assert twice.status_code == 409


def test_another_shelters_manager_cannot_see_or_decide_the_hold(client, network, actors):
    _case, request = open_request(client, actors["case"], persons=WOMAN, suspects=[])
    hold = _hold(client, actors["case"], request["id"], network["dv-prishtine"]).get_json()
    for action in ("accept", "decline"):
        answer = client.post(f"/api/v1/holds/{hold['id']}/{action}", json={"reason": "other"},
                             headers=actors["other_shelter"].headers)
        assert answer.status_code == 404, action
    assert client.get(f"/api/v1/holds/{hold['id']}",
                      headers=actors["other_shelter"].headers).status_code == 404
    assert client.post(f"/api/v1/holds/{hold['id']}/accept",
                       headers=actors["case"].headers).status_code == 403
    assert client.post(f"/api/v1/holds/{hold['id']}/cancel",
                       headers=actors["other_shelter"].headers).status_code == 403


def test_cancel_before_and_after_acceptance(client, network, actors):
    _case, request = open_request(client, actors["case"], persons=WOMAN, suspects=[])
    hold = _hold(client, actors["case"], request["id"], network["dv-prishtine"]).get_json()
    assert client.post(f"/api/v1/holds/{hold['id']}/cancel",
                       headers=actors["case"].headers).status_code == 200
    assert _state(client, actors["case"], request["id"])["status"] == "open"
    hold = _hold(client, actors["case"], request["id"], network["dv-prishtine"]).get_json()
    client.post(f"/api/v1/holds/{hold['id']}/accept", headers=actors["shelter"].headers)
    cancelled = client.post(f"/api/v1/holds/{hold['id']}/cancel", headers=actors["case"].headers)
    assert cancelled.status_code == 200
    state = _state(client, actors["case"], request["id"])
    assert state["status"] == "open"
    assert state["placement"]["status"] == "cancelled"


def test_no_show_puts_the_request_back(client, network, actors):
    _case, request = open_request(client, actors["case"], persons=WOMAN, suspects=[])
    hold = _hold(client, actors["case"], request["id"], network["dv-prishtine"]).get_json()
    client.post(f"/api/v1/holds/{hold['id']}/accept", headers=actors["shelter"].headers)
    placement = _state(client, actors["case"], request["id"])["placement"]
    assert client.post(f"/api/v1/placements/{placement['id']}/discharge",
                       json={"reason": "other"},
                       headers=actors["shelter"].headers).status_code == 409
    answer = client.post(f"/api/v1/placements/{placement['id']}/no-show",
                         headers=actors["shelter"].headers)
    assert answer.status_code == 200
    assert _state(client, actors["case"], request["id"])["status"] == "open"
    assert client.post(f"/api/v1/placements/{placement['id']}/arrive",
                       headers=actors["shelter"].headers).status_code == 409


def test_transfer_keeps_the_bed_until_the_new_placement_arrives(client, network, actors):
    _case, request = open_request(client, actors["case"], persons=WOMAN, suspects=[])
    hold = _hold(client, actors["case"], request["id"], network["dv-prishtine"]).get_json()
    client.post(f"/api/v1/holds/{hold['id']}/accept", headers=actors["shelter"].headers)
    first = _state(client, actors["case"], request["id"])["placement"]
    client.post(f"/api/v1/placements/{first['id']}/arrive", headers=actors["shelter"].headers)

    transfer = client.post(f"/api/v1/placements/{first['id']}/transfer",
                           json={"urgency": "routine"}, headers=actors["case"].headers)
    assert transfer.status_code == 201, transfer.get_json()
    new_request = transfer.get_json()
    assert new_request["transferred_from"] == first["id"]
    hold = _hold(client, actors["case"], new_request["id"], network["dv-gjilan"]).get_json()
    client.post(f"/api/v1/holds/{hold['id']}/accept", headers=actors["shelter"].headers)
    second = _state(client, actors["case"], new_request["id"])["placement"]
    assert _state(client, actors["case"], request["id"])["status"] == "placed"
    client.post(f"/api/v1/placements/{second['id']}/arrive", headers=actors["shelter"].headers)
    old = _state(client, actors["case"], request["id"])
    assert old["status"] == "ended"
    assert old["placement"]["status"] == "transferred"
    assert _state(client, actors["case"], new_request["id"])["status"] == "placed"


def test_one_request_in_progress_per_case(client, network, actors):
    case, _request = open_request(client, actors["case"], persons=WOMAN, suspects=[])
    again = client.post("/api/v1/placement-requests",
                        json={"case_id": case["id"], "urgency": "routine",
                              "current_municipality": "prishtine"},
                        headers=actors["case"].headers)
    assert again.status_code == 409


def test_closing_a_case_ends_requests_releases_holds_and_purges_suspects(client, network, actors):
    case, request = open_request(client, actors["case"], persons=WOMAN,
                                 suspects=[{"municipality": "gjakove"}])
    hold = _hold(client, actors["case"], request["id"], network["dv-prishtine"]).get_json()
    closed = client.post(f"/api/v1/cases/{case['id']}/close", json={"reason": "returned home"},
                         headers=actors["case"].headers)
    assert closed.status_code == 200
    assert closed.get_json()["suspects"] == []
    state = _state(client, actors["case"], request["id"])
    assert state["status"] == "ended"
    assert state["holds"][0]["status"] == "cancelled"
    rooms = client.get(f"/api/v1/shelters/{network['dv-prishtine']}/rooms",
                       headers=actors["shelter"].headers).get_json()
    assert all(b["status"] != "held" for room in rooms for b in room["beds"])
    assert hold["id"]
    assert client.post(f"/api/v1/cases/{case['id']}/close", json={"reason": "again"},
                       headers=actors["case"].headers).status_code == 409


def test_a_placed_person_blocks_closing_the_case(client, network, actors):
    case, request = open_request(client, actors["case"], persons=WOMAN, suspects=[])
    hold = _hold(client, actors["case"], request["id"], network["dv-prishtine"]).get_json()
    client.post(f"/api/v1/holds/{hold['id']}/accept", headers=actors["shelter"].headers)
    placement = _state(client, actors["case"], request["id"])["placement"]
    client.post(f"/api/v1/placements/{placement['id']}/arrive", headers=actors["shelter"].headers)
    answer = client.post(f"/api/v1/cases/{case['id']}/close", json={"reason": "x"},
                         headers=actors["case"].headers)
    assert answer.status_code == 409
    assert "discharge" in answer.get_json()["message"]


def test_a_hold_at_an_excluded_shelter_is_refused_with_its_rules(client, network, actors):
    _case, request = open_request(client, actors["case"], persons=WOMAN,
                                  suspects=[{"municipality": "gjakove"}])
    answer = _hold(client, actors["case"], request["id"], network["dv-peje"])
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["rules"] == ["H6"]
    thb = _hold(client, actors["case"], request["id"], network["thb-high"])
    assert thb.status_code == 422
    assert "H3" in thb.get_json()["errors"]["rules"]


def test_a_coordinator_override_is_audited_on_the_request_and_shown_on_the_hold(
        client, network, actors, make_user):
    coordinator = make_user("national_coordinator")
    _case, request = open_request(client, actors["case"], persons=WOMAN,
                                  suspects=[{"municipality": "gjakove"}])
    refused = client.post(f"/api/v1/placement-requests/{request['id']}/override",
                          json={"rules": ["H1"], "justification": "no"},
                          headers=coordinator.headers)
    assert refused.status_code == 422
    assert client.post(f"/api/v1/placement-requests/{request['id']}/override",
                       json={"rules": ["H6"], "justification": "suspect is in custody"},
                       headers=actors["case"].headers).status_code == 403
    done = client.post(f"/api/v1/placement-requests/{request['id']}/override",
                       json={"rules": ["H6"], "justification": "suspect is in custody"},
                       headers=coordinator.headers)
    assert done.status_code == 200
    hold = _hold(client, actors["case"], request["id"], network["dv-peje"])
    assert hold.status_code == 201, hold.get_json()
    assert hold.get_json()["override"]["rules"] == ["H6"]
    events = client.get(f"/api/v1/placement-requests/{request['id']}/events",
                        headers=actors["case"].headers).get_json()
    assert any(e["action"] == "request.override" for e in events)
