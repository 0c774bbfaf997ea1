"""Batch runs over the queue, proposals visible to the case manager, stale shelters flagged."""

from datetime import timedelta

from placement import clock
from tests.placement.workflow_helpers import open_request, refreshed

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]


def test_regional_run_proposes_for_its_queue_and_can_hold(client, network, make_user):
    case_manager = make_user("case_manager")
    coordinator = make_user("regional_coordinator", region="prishtine")
    inside = [open_request(client, case_manager, persons=WOMAN, suspects=[])[1] for _ in range(3)]
    outside = open_request(client, case_manager, municipality="prizren", persons=WOMAN,
                           suspects=[])[1]
    run = client.post("/api/v1/optimizer/runs", json={"auto_hold": True, "time_limit": 5},
                      headers=coordinator.headers)
    assert run.status_code == 202, run.get_json()
    body = run.get_json()
    assert body["region"] == "prishtine", body
    assert body["status"] == "succeeded", body
    assert body["summary"]["status"] in ("optimal", "feasible")
    assert {p["request_id"] for p in body["proposals"]} == {r["id"] for r in inside}
    assert body["summary"]["holds_placed"] == 3
    state = client.get(f"/api/v1/placement-requests/{inside[0]['id']}",
                       headers=case_manager.headers).get_json()
    assert state["status"] == "held"
    assert state["latest_proposal"]["run_id"] == body["id"]
    untouched = client.get(f"/api/v1/placement-requests/{outside['id']}",
                           headers=case_manager.headers).get_json()
    assert untouched["status"] == "open" and untouched["latest_proposal"] is None
    assert client.get(f"/api/v1/optimizer/runs/{body['id']}",
                      headers=coordinator.headers).status_code == 200
    elsewhere = make_user("regional_coordinator", region="prizren")
    assert client.get(f"/api/v1/optimizer/runs/{body['id']}",
                      headers=elsewhere.headers).status_code == 404
    assert client.post("/api/v1/optimizer/runs", json={},
                       headers=case_manager.headers).status_code == 403


def test_unplaceable_request_gets_reasons_in_its_proposal(client, network, make_user):
    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    boy = [{"gender": "female", "age": 35, "role": "primary", "languages": ["sq"]},
           {"gender": "male", "age": 16, "role": "child"}]
    _case, request = open_request(client, case_manager, persons=boy, suspects=[])
    run = client.post("/api/v1/optimizer/runs", json={}, headers=national.headers).get_json()
    proposal = next(p for p in run["proposals"] if p["request_id"] == request["id"])
    assert proposal["shelter_id"] is None
    summary = proposal["explanation"]
    assert "H4" in {entry["rule"] for entry in summary["excluded_by_rule"]}
    # Counted as the request's proposals count them, which list every shelter's reasons.
    live = client.get(f"/api/v1/placement-requests/{request['id']}/proposals",
                      headers=national.headers).get_json()
    assert summary["excluded_by_rule"] == live["excluded_by_rule"]
    assert summary["excluded_total"] == live["excluded_total"] == len(network)


def test_stale_shelter_is_marked_confirm_by_phone(client, network, make_user):
    case_manager = make_user("case_manager")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    client.post(f"/api/v1/shelters/{network['dv-prishtine']}/confirm", headers=manager.headers)
    options = client.get(f"/api/v1/placement-requests/{request['id']}/proposals",
                         headers=case_manager.headers).get_json()["options"]
    confirmed = next(o for o in options if o["shelter"]["id"] == network["dv-prishtine"])
    assert (confirmed["freshness"], confirmed["confirm_by_phone"]) == ("fresh", False)
    clock.set_offset(timedelta(hours=9))
    case_manager = refreshed(case_manager)
    options = client.get(f"/api/v1/placement-requests/{request['id']}/proposals",
                         headers=case_manager.headers).get_json()["options"]
    stale = next(o for o in options if o["shelter"]["id"] == network["dv-prishtine"])
    assert (stale["freshness"], stale["confirm_by_phone"]) == ("stale", True)
    assert all(set(o["travel"].split()) & {"minutes", "hours"} for o in options)


def test_run_summary_states_no_distance(client, network, make_user):
    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    open_request(client, case_manager, persons=WOMAN, suspects=[])
    run = client.post("/api/v1/optimizer/runs", json={}, headers=national.headers)
    assert "km" not in run.get_data(as_text=True)


def test_scheduler_reproposes_only_requests_that_changed(app, client, network, make_user):
    from placement.extensions import db
    from placement.services import holds, runs

    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    first = runs.repropose_open_requests(time_limit=5)
    db.session.commit()
    assert [p.request_id for p in first.proposals] == [request["id"]]
    assert runs.repropose_open_requests(time_limit=5) is None
    client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                json={"shelter_id": network["dv-prishtine"]}, headers=case_manager.headers)
    clock.set_offset(app.config["HOLD_TTL"] + timedelta(minutes=1))
    holds.release_expired_holds()
    db.session.commit()
    again = runs.repropose_open_requests(time_limit=5)
    db.session.commit()
    assert again is not None and [p.request_id for p in again.proposals] == [request["id"]]


def test_proposals_offer_each_shelter_and_room_kind_once(client, network, make_user):
    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    options = client.get(f"/api/v1/placement-requests/{request['id']}/proposals",
                         headers=case_manager.headers).get_json()["options"]
    keys = [(o["shelter"]["id"], o["room_kind"]) for o in options]
    assert len(keys) == len(set(keys))
    shelter = network["dv-prishtine"]
    assert (shelter, "adult") in keys and (shelter, "family") in keys


def test_the_service_keeps_answering_while_the_optimizer_solves(app, client, network, make_user,
                                                               monkeypatch):
    import threading

    from placement.services import runs

    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    open_request(client, case_manager, persons=WOMAN, suspects=[])
    real_solve, seen = runs.solve, []

    def solve_while_someone_writes(instance, **kwargs):
        def write():  # a login attempt is a write: it needs the database's write lock
            answer = app.test_client().post("/api/v1/auth/login",
                                            json={"username": "x", "password": "y"})
            seen.append(answer.status_code)

        thread = threading.Thread(target=write)
        thread.start()
        thread.join(30)
        return real_solve(instance, **kwargs)

    monkeypatch.setattr(runs, "solve", solve_while_someone_writes)
    run = client.post("/api/v1/optimizer/runs", json={}, headers=national.headers)
    assert run.status_code == 202
    assert seen == [401]  # answered at once, not 503 after waiting out the lock


def test_a_run_for_an_unknown_or_foreign_region_is_refused_naming_region(
        client, network, make_user):
    national = make_user("national_coordinator")
    regional = make_user("regional_coordinator", region="prishtine")
    for user, region in ((national, "atlantis"), (regional, "prizren")):
        answer = client.post("/api/v1/optimizer/runs", json={"region": region},
                             headers=user.headers)
        assert answer.status_code == 422, answer.get_json()
        assert "region" in answer.get_json()["errors"]["json"]
    own = client.post("/api/v1/optimizer/runs", json={"region": "prishtine", "time_limit": 1},
                      headers=regional.headers)
    assert own.status_code == 202 and own.get_json()["region"] == "prishtine"
