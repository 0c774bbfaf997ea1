"""A coordinator's override travels in the instance: proposals, holds and runs judge alike.

A DV case for a man: H4 keeps him out of every DV shelter (all take women only) and H3 keeps a DV
case out of every THB shelter, so without an override nothing may take him. A coordinator waives
H3; from then on the two THB shelters that take men are his options everywhere, and Drita (THB,
women only) stays excluded by H4 alone.
"""

from tests.placement.workflow_helpers import open_request

MAN = [{"gender": "male", "age": 34, "role": "primary", "languages": ["sq"]}]


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _verdicts(client, caller, request_id):
    body = _ok(client.get(f"/api/v1/placement-requests/{request_id}/proposals",
                          headers=caller.headers))
    options = {o["shelter"]["id"] for o in body["options"]}
    excluded = {e["shelter"]["id"]: e["rules"] for e in body["excluded"]}
    return options, excluded


def _run_proposal(client, coordinator, request_id):
    run = _ok(client.post("/api/v1/optimizer/runs", json={"time_limit": 5},
                          headers=coordinator.headers), 202)  # queued; solved at once in tests
    return next(p for p in run["proposals"] if p["request_id"] == request_id)


def test_an_h3_override_gives_the_same_verdicts_in_proposals_holds_and_runs(
        client, network, make_user):
    case_manager = make_user("case_manager")
    coordinator = make_user("national_coordinator")
    _case, request = open_request(client, case_manager, category="dv", risk="low", persons=MAN,
                                  suspects=[])
    rid = request["id"]
    options, excluded = _verdicts(client, case_manager, rid)
    assert options == set()
    assert excluded[network["thb-rruga"]] == ["H3"]
    unplaced = _run_proposal(client, coordinator, rid)
    assert unplaced["shelter_id"] is None
    # The run keeps the exclusions counted by rule, counted as the proposals count them.
    live = _ok(client.get(f"/api/v1/placement-requests/{rid}/proposals",
                          headers=case_manager.headers))
    assert unplaced["explanation"]["excluded_by_rule"] == live["excluded_by_rule"]
    assert unplaced["explanation"]["excluded_total"] == len(excluded)

    _ok(client.post(f"/api/v1/placement-requests/{rid}/override",
                    json={"rules": ["H3"], "justification": "no DV shelter takes men"},
                    headers=coordinator.headers))

    options, excluded = _verdicts(client, case_manager, rid)
    assert options == {network["thb-high"], network["thb-rruga"]}
    assert not any("H3" in rules for rules in excluded.values())
    assert excluded[network["thb-drita"]] == ["H4"]

    # A hold: allowed where the proposal offers, refused with the proposal's own rules elsewhere.
    refused = client.post(f"/api/v1/placement-requests/{rid}/holds",
                          json={"shelter_id": network["thb-drita"]}, headers=case_manager.headers)
    assert refused.status_code == 422, refused.get_json()
    assert refused.get_json()["errors"]["rules"] == excluded[network["thb-drita"]]
    hold = _ok(client.post(f"/api/v1/placement-requests/{rid}/holds",
                           json={"shelter_id": network["thb-rruga"]},
                           headers=case_manager.headers), 201)
    _ok(client.post(f"/api/v1/holds/{hold['id']}/cancel", headers=case_manager.headers))

    # A run over the queue places him at one of the same options.
    placed = _run_proposal(client, coordinator, rid)
    assert placed["shelter_id"] in options
