"""H7 across cases: a shelter where a case to keep apart from is held or placed is excluded."""

from tests.placement.workflow_helpers import open_request

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]


def _excluded(client, caller, request_id):
    body = client.get(f"/api/v1/placement-requests/{request_id}/proposals",
                      headers=caller.headers).get_json()
    return {e["shelter"]["id"]: e["rules"] for e in body["excluded"]}


def test_keep_apart_either_way_excludes_the_other_cases_shelter(client, network, make_user):
    police = make_user("case_manager", organisation="police")
    ngo = make_user("case_manager", organisation="ngo")
    first_case, first = open_request(client, police, persons=WOMAN, suspects=[])
    shelter = network["dv-prishtine"]
    held = client.post(f"/api/v1/placement-requests/{first['id']}/holds",
                       json={"shelter_id": shelter}, headers=police.headers)
    assert held.status_code == 201
    # Another organisation's case names the first one: it must not be sent where she is.
    _second_case, second = open_request(client, ngo, persons=WOMAN, suspects=[],
                                        keep_apart_from=[first_case["code"]])
    assert _excluded(client, ngo, second["id"])[shelter] == ["H7"]
    refused = client.post(f"/api/v1/placement-requests/{second['id']}/holds",
                          json={"shelter_id": shelter}, headers=ngo.headers)
    assert refused.status_code == 422
    assert refused.get_json()["errors"]["rules"] == ["H7"]
    # And the other way round: a new case of the first organisation named by nobody, but naming
    # nobody either, is free to go there.
    _third_case, third = open_request(client, police, persons=WOMAN, suspects=[])
    assert shelter not in _excluded(client, police, third["id"])


def test_keep_apart_listed_by_the_resident_case_also_binds(client, network, make_user):
    police = make_user("case_manager", organisation="police")
    later_case, later = open_request(client, police, persons=WOMAN, suspects=[])
    resident_case = client.post("/api/v1/cases", headers=police.headers, json={
        "category": "dv", "risk": "low", "persons": WOMAN, "referral_source": "police",
        "identifying_authority": "police", "keep_apart_from": [later_case["code"]],
    }).get_json()
    resident = client.post("/api/v1/placement-requests", headers=police.headers, json={
        "case_id": resident_case["id"], "urgency": "routine",
        "current_municipality": "gjilan"}).get_json()
    shelter = network["dv-gjilan"]
    assert client.post(f"/api/v1/placement-requests/{resident['id']}/holds",
                       json={"shelter_id": shelter}, headers=police.headers).status_code == 201
    assert _excluded(client, police, later["id"])[shelter] == ["H7"]
