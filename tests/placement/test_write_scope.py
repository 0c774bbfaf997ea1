"""Every write checks the same scope as the read: out of scope is absent to a write too."""

import sqlalchemy as sa

from placement.extensions import db
from placement.models import Hold, Placement, PlacementRequest
from tests.placement.workflow_helpers import open_request

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]


def _hold(client, caller, request_id, shelter_id):
    return client.post(f"/api/v1/placement-requests/{request_id}/holds",
                       json={"shelter_id": shelter_id}, headers=caller.headers)


def test_a_regional_coordinator_cannot_hold_beds_outside_their_region(client, network, make_user):
    case_manager = make_user("case_manager")
    coordinator = make_user("regional_coordinator", region="prishtine")
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    outside = network["dv-gjilan"]
    assert client.get(f"/api/v1/shelters/{outside}", headers=coordinator.headers).status_code == 404

    refused = _hold(client, coordinator, request["id"], outside)
    absent = _hold(client, coordinator, request["id"], 999_999)
    assert refused.status_code == absent.status_code == 422
    body = refused.get_json()
    assert body["errors"] == absent.get_json()["errors"] == {"shelter_id": ["no such shelter"]}
    assert "room" not in str(body)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Hold.id))) == 0

    inside = _hold(client, coordinator, request["id"], network["dv-prishtine"])
    assert inside.status_code == 201, inside.get_json()


def test_a_regional_run_does_not_auto_hold_outside_the_region(client, network, make_user):
    case_manager = make_user("case_manager")
    coordinator = make_user("regional_coordinator", region="gjilan")
    # Trafficking cases: the only shelters for them are in other regions, so the run proposes
    # those, but the coordinator may hold only in Gjilan.
    for _ in range(2):
        open_request(client, case_manager, municipality="gjilan", persons=WOMAN, suspects=[],
                     category="thb")
    run = client.post("/api/v1/optimizer/runs", json={"auto_hold": True},
                      headers=coordinator.headers)
    assert run.status_code == 202, run.get_json()
    assert {p["shelter_id"] for p in run.get_json()["proposals"]} - {network["dv-gjilan"]}
    db.session.expire_all()
    held_at = set(db.session.scalars(sa.select(Hold.shelter_id)))
    assert held_at <= {network["dv-gjilan"]}


def test_a_regional_transfer_cannot_make_a_request_outside_the_region(
        client, network, make_user):
    case_manager = make_user("case_manager")
    coordinator = make_user("regional_coordinator", region="prishtine")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    hold = _hold(client, case_manager, request["id"], network["dv-prishtine"]).get_json()
    assert client.post(f"/api/v1/holds/{hold['id']}/accept",
                       headers=manager.headers).status_code == 200
    db.session.expire_all()
    placement_id = db.session.scalar(sa.select(Placement.id))
    assert client.post(f"/api/v1/placements/{placement_id}/arrive",
                       headers=manager.headers).status_code == 200

    away = client.post(f"/api/v1/placements/{placement_id}/transfer",
                       json={"urgency": "routine", "current_municipality": "prizren"},
                       headers=coordinator.headers)
    assert away.status_code == 422
    assert away.get_json()["errors"] == {"current_municipality": ["outside your scope"]}
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(PlacementRequest.id))) == 1

    here = client.post(f"/api/v1/placements/{placement_id}/transfer",
                       json={"urgency": "routine", "current_municipality": "lipjan"},
                       headers=coordinator.headers)
    assert here.status_code == 201, here.get_json()
