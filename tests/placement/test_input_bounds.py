"""Numbers no database can hold answer 404 or 422, never 500."""

import pytest

from tests.placement.workflow_helpers import open_request

BIG = 10**20


@pytest.mark.parametrize("method,path,body,expected", [
    ("get", f"/api/v1/cases/{BIG}", None, 404),
    ("get", f"/api/v1/placement-requests/{BIG}", None, 404),
    ("get", f"/api/v1/placements/{2**63}", None, 404),
    ("get", f"/api/v1/shelters/{2**31}", None, 404),
    ("post", "/api/v1/placement-requests",
     {"case_id": BIG, "urgency": "urgent", "current_municipality": "prishtine"}, 422),
    ("get", f"/api/v1/placement-requests?case_id={BIG}", None, 422),
])
def test_out_of_range_ids(client, network, make_user, method, path, body, expected):
    caller = make_user("case_manager")
    answer = getattr(client, method)(path, json=body, headers=caller.headers)
    assert answer.status_code == expected, answer.get_json()


def test_out_of_range_ids_in_a_hold(client, network, make_user):
    caller = make_user("case_manager")
    _case, request = open_request(client, caller)
    for body, field in (({"shelter_id": BIG}, "shelter_id"),
                        ({"shelter_id": network["dv-prishtine"], "room_id": BIG}, "room_id")):
        answer = client.post(f"/api/v1/placement-requests/{request['id']}/holds", json=body,
                             headers=caller.headers)
        assert answer.status_code == 422
        assert field in answer.get_json()["message"]


def test_malformed_bodies_are_4xx(client, network, make_user):
    caller = make_user("case_manager")
    for body in ([], "x", None, {"category": "dv", "x": 1}):
        assert client.post("/api/v1/cases", json=body, headers=caller.headers).status_code in (
            400, 422)
    broken = client.post("/api/v1/cases", data="{bad",
                         headers={**caller.headers, "Content-Type": "application/json"})
    assert broken.status_code in (400, 422)
