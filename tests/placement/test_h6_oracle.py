"""H6 on public areas: its sentences and relaxations say everything, and still teach nothing of
where a shelter is (the proof is test_non_interference.py; these pin what a user reads)."""

from tests.placement.workflow_helpers import case_body, open_request

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]


def _proposals(client, caller, request_id):
    return client.get(f"/api/v1/placement-requests/{request_id}/proposals",
                      headers=caller.headers).get_json()


def _h6(body, shelter_id):
    (exclusion,) = [e for e in body["excluded"] if e["shelter"]["id"] == shelter_id]
    return exclusion["reasons"][exclusion["rules"].index("H6")]


def test_h6_states_its_rule_and_whole_threshold(client, network, make_user):
    manager = make_user("case_manager")
    # A suspect in dv-peje's municipality, and one at Suharekë's centroid, about 18 km from
    # Prizren's centroid: inside 20 km (medium risk) + 3 km (dv-prizren's privacy radius).
    _case, request = open_request(client, manager, persons=WOMAN, risk="medium", suspects=[
        {"municipality": "gjakove"}, {"municipality": "suhareke"}])
    body = _proposals(client, manager, request["id"])
    assert _h6(body, network["dv-peje"]) == (
        "H6: the shelter's area touches the municipality of a known suspect")
    assert _h6(body, network["dv-prizren"]) == (
        "H6: a known suspect is within 23 km of the shelter's area (policy 20 km for medium "
        "risk + 3 km privacy radius)")


def test_h6_relaxations_are_shown_with_the_radius_kept_on_top(client, network, make_user):
    manager = make_user("case_manager")
    _case, request = open_request(client, manager, persons=WOMAN, risk="medium",
                                  suspects=[{"municipality": "suhareke"}])
    relaxations = [r for r in _proposals(client, manager, request["id"])["relaxations"]
                   if r["rule"] == "H6"]
    (prizren,) = [r for r in relaxations if r["shelter"]["id"] == network["dv-prizren"]]
    assert (prizren["parameter"], prizren["current"], prizren["relaxed"]) == (
        "min_suspect_distance_km.medium", 20.0, 15.0)


def test_suspects_may_be_corrected_while_a_request_is_open(client, network, make_user):
    manager = make_user("case_manager")
    case, _request = open_request(client, manager, persons=WOMAN,
                                  suspects=[{"municipality": "gjakove"}])
    moved = client.patch(f"/api/v1/cases/{case['id']}",
                         json={"suspects": [{"lat": 42.5, "lon": 21.1}]}, headers=manager.headers)
    assert moved.status_code == 200


def test_each_account_sets_suspects_a_bounded_number_of_times_a_day(app, client, network,
                                                                     make_user):
    app.config["SUSPECT_CHANGES_PER_DAY"] = 3
    manager = make_user("case_manager")
    for _ in range(3):
        answer = client.post("/api/v1/cases", json=case_body(suspects=[{"municipality": "peje"}]),
                             headers=manager.headers)
        assert answer.status_code == 201
    fourth = client.post("/api/v1/cases", json=case_body(suspects=[{"municipality": "peje"}]),
                         headers=manager.headers)
    assert fourth.status_code == 429
    assert "suspects" in fourth.get_json()["message"]
    # Cases without suspects are not held back.
    assert client.post("/api/v1/cases", json=case_body(suspects=[]),
                       headers=manager.headers).status_code == 201


def test_options_come_by_fit_then_travel_to_the_area(client, network, make_user):
    manager = make_user("case_manager")
    _case, request = open_request(client, manager, persons=WOMAN, suspects=[])
    options = _proposals(client, manager, request["id"])["options"]
    bands = ["under 30 minutes", "30 to 60 minutes", "1 to 2 hours", "over 2 hours"]
    keys = [(-o["fit"]["total"], bands.index(o["travel"])) for o in options]
    assert keys == sorted(keys)
