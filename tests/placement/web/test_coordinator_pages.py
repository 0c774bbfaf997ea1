"""Coordinators' queue, optimizer runs and overrides as pages: the API's actions and scopes."""

import re

from tests.placement.web.pages import post_form, sign_in
from tests.placement.workflow_helpers import open_request

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]
WOMAN_AND_BOY = [{"gender": "female", "age": 35, "role": "primary", "languages": ["sq"]},
                 {"gender": "male", "age": 16, "role": "child"}]


def _text(response):
    return response.get_data(as_text=True)


def test_a_regional_coordinator_sees_the_queue_of_their_region_only(client, network, make_user):
    case_manager = make_user("case_manager")
    coordinator = make_user("regional_coordinator", region="prishtine")
    _c, inside = open_request(client, case_manager, persons=WOMAN, suspects=[])
    _c, outside = open_request(client, case_manager, municipality="prizren", persons=WOMAN,
                               suspects=[])
    sign_in(client, coordinator.username)
    page = _text(client.get("/coordinator/queue"))
    assert f"/coordinator/requests/{inside['id']}" in page
    assert f"/coordinator/requests/{outside['id']}" not in page
    assert client.get(f"/coordinator/requests/{outside['id']}").status_code == 404
    assert client.get(f"/coordinator/requests/{inside['id']}").status_code == 200


def test_other_roles_cannot_open_the_coordinator_pages(client, network, make_user):
    case_manager = make_user("case_manager")
    _c, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    sign_in(client, case_manager.username)
    for path in ("/coordinator/queue", f"/coordinator/requests/{request['id']}"):
        assert client.get(path).status_code == 403, path


def test_a_run_from_the_page_shows_each_request_placed_or_why_not(client, network, make_user):
    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    _c, placeable = open_request(client, case_manager, persons=WOMAN, suspects=[])
    _c, boy = open_request(client, case_manager, persons=WOMAN_AND_BOY, suspects=[])
    sign_in(client, national.username)
    response = post_form(client, "/coordinator/runs", {"region": ""}, "/coordinator/queue")
    assert response.status_code == 302
    run_page = client.get(response.headers["Location"])
    text = _text(run_page)
    placed = text.split(f'id="result-{placeable["id"]}"')[1].split("</section>")[0]
    assert "Placed" in placed and "Not placed" not in placed
    refused = text.split(f'id="result-{boy["id"]}"')[1].split("</section>")[0]
    assert "Not placed" in refused
    assert "H4: The shelter&#39;s policy on gender, children or minors" in refused
    # Each relaxation in words, as the case manager's proposals page says it; no raw parameter.
    assert "Would fit if this shelter took accompanying boys up to age 16" in refused
    assert "max_accompanying_boy_age" not in refused
    # The API shows the same run.
    run_id = int(re.search(r"/coordinator/runs/(\d+)", response.headers["Location"]).group(1))
    api = client.get(f"/api/v1/optimizer/runs/{run_id}", headers=national.headers).get_json()
    assert {p["request_id"] for p in api["proposals"]} == {placeable["id"], boy["id"]}


def test_a_queued_run_page_refreshes_itself_until_the_worker_has_solved_it(
        app, client, network, make_user, monkeypatch):
    from placement.extensions import db
    from placement.services import runs
    from placement.web.views import coordinator

    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    _c, placeable = open_request(client, case_manager, persons=WOMAN, suspects=[])
    queued = []
    monkeypatch.setattr(coordinator, "enqueue_run", queued.append)  # no worker yet
    sign_in(client, national.username)
    response = post_form(client, "/coordinator/runs", {"region": ""}, "/coordinator/queue")
    waiting = _text(client.get(response.headers["Location"]))
    assert 'id="run-status">Waiting for the optimizer<' in waiting
    assert 'hx-trigger="every' in waiting and f'id="result-{placeable["id"]}"' not in waiting
    assert "nothing to place" not in waiting
    with app.app_context():  # the worker's part
        assert runs.execute_run(queued[0]) == "succeeded"
        db.session.remove()
    done = _text(client.get(response.headers["Location"]))
    assert 'id="run-status">Finished<' in done and 'hx-trigger="every' not in done
    assert f'id="result-{placeable["id"]}"' in done


def test_an_unknown_region_is_refused_naming_the_field(client, network, make_user):
    national = make_user("national_coordinator")
    sign_in(client, national.username)
    response = post_form(client, "/coordinator/runs", {"region": "atlantis"},
                         "/coordinator/queue")
    assert response.status_code == 422
    assert 'id="region-error"' in _text(response)


def test_an_override_needs_a_justification_and_then_shows_on_the_request(
        client, network, make_user):
    case_manager = make_user("case_manager")
    coordinator = make_user("regional_coordinator", region="prishtine")
    _c, request = open_request(client, case_manager, persons=WOMAN_AND_BOY, suspects=[])
    path = f"/coordinator/requests/{request['id']}"
    sign_in(client, coordinator.username)
    refused = post_form(client, f"{path}/override", {"rules": "H4", "justification": ""}, path)
    assert refused.status_code == 422
    text = _text(refused)
    assert 'id="justification-error"' in text
    assert re.search(r'value="H4"[^>]*checked|checked[^>]*value="H4"', text)  # kept as typed
    saved = post_form(client, f"{path}/override",
                      {"rules": "H4", "justification": "The boy is 16; the shelter agreed."},
                      path)
    assert saved.status_code == 302
    shown = _text(client.get(saved.headers["Location"]))
    assert "The boy is 16; the shelter agreed." in shown
    assert "A rule was overridden" in shown  # the event, in words
    # The form starts from the rules lifted now.
    assert re.search(r'value="H4"[^>]*checked|checked[^>]*value="H4"', shown)
    assert not re.search(r'value="H3"[^>]*checked|checked[^>]*value="H3"', shown)
    api = client.get(f"/api/v1/placement-requests/{request['id']}",
                     headers=case_manager.headers).get_json()
    assert api["override"]["rules"] == ["H4"]
    assert api["override"]["justification"] == "The boy is 16; the shelter agreed."
    unknown = post_form(client, f"{path}/override",
                        {"rules": "H1", "justification": "beds"}, path)
    assert unknown.status_code == 422 and 'id="rules-error"' in _text(unknown)


def test_a_regional_run_with_holds_holds_the_proposed_beds(client, network, make_user):
    case_manager = make_user("case_manager")
    coordinator = make_user("regional_coordinator", region="prishtine")
    _c, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    sign_in(client, coordinator.username)
    # The region is the coordinator's own whatever the form says, as in the API.
    response = post_form(client, "/coordinator/runs", {"region": "prishtine", "auto_hold": "y"},
                         "/coordinator/queue")
    assert response.status_code == 302
    text = _text(client.get(response.headers["Location"]))
    assert 'id="run-assigned">1<' in text and "beds held" in text
    api = client.get(f"/api/v1/placement-requests/{request['id']}",
                     headers=case_manager.headers).get_json()
    assert api["status"] == "held"
    other_region = post_form(client, "/coordinator/runs", {"region": "peje"},
                             "/coordinator/queue")
    assert other_region.status_code == 422
