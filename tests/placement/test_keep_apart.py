"""H7 across cases: a shelter where a case to keep apart from is held or placed is excluded."""

from hypothesis import given, settings
from hypothesis import strategies as st

from placement.services.instances import KeepApart
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


CODES = st.sampled_from([f"C-{n}" for n in range(8)])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(CODES, st.lists(CODES, max_size=3)), max_size=12), CODES,
       st.lists(CODES, max_size=3))
def test_who_a_keep_apart_joins_is_every_pair_that_names_the_other(members, code, apart):
    """The index finds exactly what comparing every pair does, either way round."""
    def named(a_code, a_list, b_code, b_list):
        return b_code in a_list or a_code in b_list

    found = KeepApart((k, c, a) for k, (c, a) in enumerate(members)).joined(code, apart)
    assert set(found) == {k for k, (c, a) in enumerate(members) if named(code, apart, c, a)}


def test_a_run_s_requests_are_kept_apart_from_each_other_either_way(client, network, make_user):
    from placement.extensions import db
    from placement.models import PlacementRequest
    from placement.services.instances import request_dicts

    police = make_user("case_manager", organisation="police")
    first_case, first = open_request(client, police, persons=WOMAN, suspects=[])
    _second_case, second = open_request(client, police, persons=WOMAN, suspects=[],
                                        keep_apart_from=[first_case["code"]])
    _third_case, third = open_request(client, police, persons=WOMAN, suspects=[])
    ids = [first["id"], second["id"], third["id"]]
    requests = [db.session.get(PlacementRequest, i) for i in ids]
    apart = {d["id"]: d["keep_apart_from"] for d in request_dicts(requests)}
    assert apart == {first["id"]: [second["id"]], second["id"]: [first["id"]], third["id"]: []}
