"""A mother with two children, from case to proposal to hold to arrival, and the counts agree."""

from datetime import timedelta

from placement import clock
from placement.extensions import db
from placement.services import holds
from tests.placement.workflow_helpers import open_request, refreshed


def _free(client, caller, shelter_id):
    body = client.get(f"/api/v1/shelters/{shelter_id}", headers=caller.headers).get_json()
    return body["counts"]["available"], body["counts"]["held"], body["counts"]["occupied"]


def test_case_to_arrival(client, network, make_user):
    case_manager = make_user("case_manager")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    _case, request = open_request(client, case_manager)

    proposals = client.get(f"/api/v1/placement-requests/{request['id']}/proposals",
                           headers=case_manager.headers)
    assert proposals.status_code == 200, proposals.get_json()
    body = proposals.get_json()
    offered = {o["shelter"]["id"] for o in body["options"]}
    assert offered, body
    assert all(o["room_kind"] == "family" for o in body["options"])
    excluded = {e["shelter"]["id"]: e["rules"] for e in body["excluded"]}
    assert "H3" in excluded[network["thb-high"]]  # a DV case never goes to a THB shelter
    assert "H6" in excluded[network["dv-peje"]]  # the suspect lives in Gjakovë, its municipality

    shelter_id = network["dv-prishtine"]
    assert shelter_id in offered
    before = _free(client, manager, shelter_id)
    hold = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                       json={"shelter_id": shelter_id}, headers=case_manager.headers)
    assert hold.status_code == 201, hold.get_json()
    hold = hold.get_json()
    assert hold["room"]["kind"] == "family"
    assert _free(client, manager, shelter_id) == (before[0] - 3, before[1] + 3, before[2])

    accepted = client.post(f"/api/v1/holds/{hold['id']}/accept", headers=manager.headers)
    assert accepted.status_code == 200, accepted.get_json()
    placement = client.get(f"/api/v1/placement-requests/{request['id']}",
                           headers=case_manager.headers).get_json()["placement"]
    assert placement["status"] == "accepted"

    arrived = client.post(f"/api/v1/placements/{placement['id']}/arrive", headers=manager.headers)
    assert arrived.status_code == 200, arrived.get_json()
    assert _free(client, manager, shelter_id) == (before[0] - 3, before[1], before[2] + 3)
    state = client.get(f"/api/v1/placement-requests/{request['id']}",
                       headers=case_manager.headers).get_json()
    assert state["status"] == "placed"

    discharged = client.post(f"/api/v1/placements/{placement['id']}/discharge",
                             json={"reason": "independent_living"}, headers=manager.headers)
    assert discharged.status_code == 200
    assert _free(client, manager, shelter_id) == before
    events = client.get(f"/api/v1/placement-requests/{request['id']}/events",
                        headers=case_manager.headers).get_json()
    assert [e["action"] for e in events] == [
        "request.created", "hold.created", "hold.accepted", "placement.arrived",
        "placement.discharged",
    ]


def test_unanswered_hold_expires_and_request_is_proposed_again(app, client, network, make_user):
    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager)
    shelter_id = network["dv-prishtine"]
    hold = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                       json={"shelter_id": shelter_id}, headers=case_manager.headers).get_json()
    clock.set_offset(app.config["HOLD_TTL"] + timedelta(seconds=1))
    expired = holds.release_expired_holds()
    db.session.commit()
    assert [h.id for h in expired] == [hold["id"]]
    case_manager = refreshed(case_manager)
    state = client.get(f"/api/v1/placement-requests/{request['id']}",
                       headers=case_manager.headers).get_json()
    assert state["status"] == "open"
    assert state["holds"][0]["status"] == "expired"
    again = client.get(f"/api/v1/placement-requests/{request['id']}/proposals",
                       headers=case_manager.headers).get_json()
    assert shelter_id in {o["shelter"]["id"] for o in again["options"]}
