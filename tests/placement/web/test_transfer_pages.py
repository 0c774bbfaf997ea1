"""A transfer from the case manager's request page: the API's transition (a new request linked
to the placement, the bed kept until arrival), its errors next to the field, its scope (404),
and the transfer under way as the shelter manager and the coordinator see it."""

import sqlalchemy as sa

from placement.extensions import db
from placement.models import PlacementRequest, RequestEvent
from tests.placement.web.pages import csrf_token, post_form, sign_in
from tests.placement.workflow_helpers import open_request

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]


def _placed(client, network, make_user):
    """A woman placed at dv-prishtine through the API; returns (case manager, manager, ids)."""
    case_manager = make_user("case_manager", organisation="org-a")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    hold = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                       json={"shelter_id": network["dv-prishtine"]},
                       headers=case_manager.headers).get_json()
    client.post(f"/api/v1/holds/{hold['id']}/accept", headers=manager.headers)
    placement = client.get(f"/api/v1/placement-requests/{request['id']}",
                           headers=case_manager.headers).get_json()["placement"]
    arrived = client.post(f"/api/v1/placements/{placement['id']}/arrive",
                          headers=manager.headers)
    assert arrived.status_code == 200, arrived.get_json()
    return case_manager, manager, request["id"], placement["id"]


def test_a_case_manager_transfers_a_placed_person_from_the_request_page(app, client, network,
                                                                        make_user):
    case_manager, manager, request_id, placement_id = _placed(client, network, make_user)
    page_client = app.test_client()
    assert sign_in(page_client, case_manager.username).status_code == 302
    path = f"/requests/{request_id}"
    page = page_client.get(path).get_data(as_text=True)
    assert "Transfer to another shelter" in page and 'selected value="prishtine"' in page

    # Bad input: the field is named in words, and what was typed is kept.
    refused = post_form(page_client, f"{path}/transfer",
                        {"transfer-urgency": "", "transfer-current_municipality": "peje"}, path)
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Choose the urgency" in text and 'selected value="peje"' in text
    unknown = post_form(page_client, f"{path}/transfer",
                        {"transfer-urgency": "urgent",
                         "transfer-current_municipality": "atlantis"}, path)
    assert unknown.status_code == 422 and "Not a valid choice" in unknown.get_data(as_text=True)

    moved = post_form(page_client, f"{path}/transfer",
                      {"transfer-urgency": "urgent", "transfer-current_municipality": "peje"},
                      path)
    assert moved.status_code == 302
    new_id = int(moved.headers["Location"].split("/")[2])
    assert moved.headers["Location"] == f"/requests/{new_id}/proposals"
    created = db.session.get(PlacementRequest, new_id)
    assert created.transferred_from_id == placement_id
    assert created.current_municipality == "peje" and created.status == "open"
    assert db.session.scalar(sa.select(RequestEvent.action).where(
        RequestEvent.request_id == new_id)) == "request.created"
    db.session.commit()
    # The API shows the same request; the person keeps the bed until the new arrival.
    api = client.get(f"/api/v1/placement-requests/{new_id}", headers=case_manager.headers)
    assert api.get_json()["transferred_from"] == placement_id
    still = client.get(f"/api/v1/placements/{placement_id}", headers=manager.headers)
    assert still.get_json()["status"] == "placed"

    old_page = page_client.get(path).get_data(as_text=True)
    assert "A transfer is under way" in old_page and f"/requests/{new_id}" in old_page
    assert f'action="/requests/{request_id}/transfer"' not in old_page
    new_page = page_client.get(f"/requests/{new_id}").get_data(as_text=True)
    assert "This request moves the persons from another shelter" in new_page

    # A second transfer is the API's refusal, in words.
    again = post_form(page_client, f"{path}/transfer",
                      {"transfer-urgency": "urgent", "transfer-current_municipality": "peje"},
                      f"/cases/{created.case_id}")
    assert again.status_code == 409
    assert f"already has request {new_id} in progress" in again.get_data(as_text=True)

    shelter_client = app.test_client()
    assert sign_in(shelter_client, manager.username).status_code == 302
    holds_page = shelter_client.get("/shelter-manager/holds").get_data(as_text=True)
    assert f'id="transfer-{placement_id}"' in holds_page and "Transfer under way" in holds_page

    coordinator = make_user("national_coordinator")
    coordinator_client = app.test_client()
    assert sign_in(coordinator_client, coordinator.username).status_code == 302
    seen = coordinator_client.get(f"/coordinator/requests/{request_id}").get_data(as_text=True)
    assert "A transfer is under way" in seen and f"/coordinator/requests/{new_id}" in seen


def test_another_organisation_cannot_transfer_and_an_unplaced_request_offers_none(
        app, client, network, make_user):
    _case_manager, _manager, request_id, _placement_id = _placed(client, network, make_user)
    other = make_user("case_manager", organisation="org-b")
    other_client = app.test_client()
    assert sign_in(other_client, other.username).status_code == 302
    token = csrf_token(other_client, "/cases/new")
    refused = other_client.post(f"/requests/{request_id}/transfer", data={
        "csrf_token": token, "transfer-urgency": "urgent",
        "transfer-current_municipality": "peje"})
    assert refused.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PlacementRequest)) == 1

    waiting = make_user("case_manager", organisation="org-b")
    _case, open_one = open_request(client, waiting, persons=WOMAN, suspects=[])
    waiting_client = app.test_client()
    assert sign_in(waiting_client, waiting.username).status_code == 302
    page = waiting_client.get(f"/requests/{open_one['id']}").get_data(as_text=True)
    assert "Transfer to another shelter" not in page
    early = post_form(waiting_client, f"/requests/{open_one['id']}/transfer",
                      {"transfer-urgency": "urgent", "transfer-current_municipality": "peje"},
                      f"/requests/{open_one['id']}")
    assert early.status_code == 409
    assert "Only a person living in a shelter can be transferred" in early.get_data(as_text=True)
