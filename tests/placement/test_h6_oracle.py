"""H6 must not become an oracle for where shelters are: suspects are the caller's to choose."""

from placement.services.proposals import H6_SENTENCE
from tests.placement.workflow_helpers import case_body, open_request

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]


def _proposals(client, caller, request_id):
    return client.get(f"/api/v1/placement-requests/{request_id}/proposals",
                      headers=caller.headers).get_json()


def test_h6_says_the_same_whichever_way_it_binds_and_offers_no_threshold(client, network,
                                                                          make_user):
    manager = make_user("case_manager")
    # One suspect in a shelter's municipality; one 18 km (±3: the shelter's point is drawn per
    # install) from another shelter, inside the 30 km a high risk asks for.
    _case, request = open_request(client, manager, persons=WOMAN, risk="high", suspects=[
        {"municipality": "gjakove"}, {"municipality": "suhareke"}])
    body = _proposals(client, manager, request["id"])
    h6 = [e for e in body["excluded"] if "H6" in e["rules"]]
    assert {network["dv-peje"], network["dv-prizren"]} <= {e["shelter"]["id"] for e in h6}
    for exclusion in h6:
        assert exclusion["reasons"][exclusion["rules"].index("H6")] == H6_SENTENCE
    assert all(r["rule"] != "H6" for r in body["relaxations"])
    assert "km" not in H6_SENTENCE


def test_suspects_only_grow_once_a_request_exists(client, network, make_user):
    manager = make_user("case_manager")
    case, _request = open_request(client, manager, persons=WOMAN,
                                  suspects=[{"municipality": "gjakove"}])
    moved = client.patch(f"/api/v1/cases/{case['id']}",
                         json={"suspects": [{"lat": 42.5, "lon": 21.1}]}, headers=manager.headers)
    assert moved.status_code == 409
    grown = client.patch(f"/api/v1/cases/{case['id']}", json={"suspects": [
        {"municipality": "gjakove"}, {"municipality": "gjilan"}]}, headers=manager.headers)
    assert grown.status_code == 200


def test_each_account_sets_suspects_a_bounded_number_of_times_a_day(app, client, network,
                                                                     make_user):
    app.config["SUSPECT_CHANGES_PER_DAY"] = 3
    manager = make_user("case_manager")
    codes = []
    for _ in range(3):
        answer = client.post("/api/v1/cases", json=case_body(suspects=[{"municipality": "peje"}]),
                             headers=manager.headers)
        assert answer.status_code == 201
        codes.append(answer.get_json()["code"])
    fourth = client.post("/api/v1/cases", json=case_body(suspects=[{"municipality": "peje"}]),
                         headers=manager.headers)
    assert fourth.status_code == 429
    assert "suspects" in fourth.get_json()["message"]
    # Cases without suspects are not held back.
    assert client.post("/api/v1/cases", json=case_body(suspects=[]),
                       headers=manager.headers).status_code == 201


def test_options_come_by_fit_then_band_then_id_not_by_exact_distance(client, network, make_user):
    manager = make_user("case_manager")
    _case, request = open_request(client, manager, persons=WOMAN, suspects=[])
    options = _proposals(client, manager, request["id"])["options"]
    bands = ["under 30 minutes", "30 to 60 minutes", "1 to 2 hours", "over 2 hours"]
    keys = [(-o["fit"]["total"], bands.index(o["travel"]), o["shelter"]["id"], o["room_kind"])
            for o in options]
    assert keys == sorted(keys)
