"""Unmet need from a scripted workflow: waits, declines, requests ended unplaced, optimizer
exclusions and overrides, in the coordinator's region; and its internal and external CSV."""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from placement import clock
from placement.extensions import db
from placement.models import Proposal
from placement.services.exclusions import stored_by_rule
from tests.placement.workflow_helpers import open_request, refreshed

URL = "/api/v1/occupancy/unmet-need"


class Script:
    """Acts through the API as the people of a workflow, moving the clock between steps."""

    def __init__(self, client, make_user):
        self.client = client
        self.people = {
            "case": make_user("case_manager"),
            "prishtine": make_user("shelter_manager", shelters=["dv-prishtine"]),
            "mitrovice": make_user("shelter_manager", shelters=["dv-mitrovice"]),
            "peje": make_user("shelter_manager", shelters=["dv-peje"]),
            "coordinator": make_user("regional_coordinator", region="prishtine"),
            "national": make_user("national_coordinator"),
        }

    def hours(self, hours):
        clock.set_offset(timedelta(hours=hours))
        self.people = {name: refreshed(caller) for name, caller in self.people.items()}

    def post(self, who, path, body=None):
        response = self.client.post("/api/v1" + path, json=body,
                                    headers=self.people[who].headers)
        assert response.status_code in (200, 201), response.get_json()
        return response.get_json()

    def hold(self, request, shelter_id):
        return self.post("case", f"/placement-requests/{request['id']}/holds",
                         {"shelter_id": shelter_id})

    def get(self, who, **params):
        return self.client.get(URL, query_string=params, headers=self.people[who].headers)


def _stored(shape, rules):
    """What a run stored for a request it left unplaced, shelters 1, 2, ... excluded by `rules`:
    runs store the exclusions summed up by rule; runs before them stored every shelter's."""
    excluded = [{"shelter": i + 1, "name": f"Shelter {i + 1}", "rules": r}
                for i, r in enumerate(rules)]
    if shape == "every shelter":
        return {"excluded": excluded}
    return {"excluded_total": len(excluded),
            "excluded_by_rule": stored_by_rule({"excluded": excluded}),
            "relaxations": [], "relaxations_total": 0}


# Both shapes a run has stored: the same figures from either.
@pytest.fixture(params=["summary", "every shelter"])
def script(request, client, network, make_user):
    shape = request.param
    s = Script(client, make_user)
    case = s.people["case"]
    _a_case, a = open_request(client, case)
    b_case, b = open_request(client, case)
    _c_case, c = open_request(client, case, municipality="gjilan")  # another region
    _d_case, d = open_request(client, case)
    s.hours(1)
    first = s.hold(a, network["dv-prishtine"])
    s.post("prishtine", f"/holds/{first['id']}/decline", {"reason": "safety_concern"})
    s.post("coordinator", f"/placement-requests/{d['id']}/override",
           {"rules": ["H6"], "justification": "the suspect is in custody"})
    override_hold = s.hold(d, network["dv-peje"])  # excluded by H6 without the override
    s.post("peje", f"/holds/{override_hold['id']}/accept")
    s.hours(2)
    declined = s.hold(b, network["dv-prishtine"])
    s.post("prishtine", f"/holds/{declined['id']}/decline", {"reason": "no_capacity"})
    s.hours(3)
    second = s.hold(a, network["dv-mitrovice"])
    s.post("mitrovice", f"/holds/{second['id']}/accept")
    s.hours(4)
    s.post("case", f"/cases/{b_case['id']}/close", {"reason": "moved abroad"})
    s.hours(5)
    placement = s.client.get(f"/api/v1/placement-requests/{a['id']}",
                             headers=s.people["case"].headers).get_json()["placement"]
    s.post("mitrovice", f"/placements/{placement['id']}/arrive")
    # What two optimizer runs left unplaced, and why (as runs store it).
    for asked, rules in ((b, [["H1"], ["H1", "H3"]]), (c, [["H1"]])):
        db.session.add(Proposal(run_id=_run(), request_id=asked["id"], created_at=clock.now(),
                                explanation=_stored(shape, rules)))
    db.session.commit()
    s.hours(6)
    s.ids = {"a": a["id"], "b": b["id"], "c": c["id"], "d": d["id"]}
    return s


def _run():
    from placement.models import OptimizerRun

    run = OptimizerRun(status="succeeded", started_at=clock.now(), finished_at=clock.now())
    db.session.add(run)
    db.session.flush()
    return run.id


def test_the_regional_figures_follow_the_workflow(script):
    response = script.get("coordinator")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["region"] == "prishtine"
    waits = body["waits"]
    assert waits["requests"] == 3  # a, b, d: c is in Gjilan
    # First holds: d at 1 h, a at 1 h, b at 2 h; acceptances: d 1 h, a 3 h; arrival: a 5 h.
    assert waits["to_first_hold"] == {"count": 3, "median_hours": 1.0}
    assert waits["to_acceptance"] == {"count": 2, "median_hours": 2.0}
    assert waits["to_arrival"] == {"count": 1, "median_hours": 5.0}
    assert waits["never_held"] == 0
    assert body["declines"] == {"total": 2, "by_reason": {
        "no_capacity": 1, "safety_concern": 1, "needs_not_met": 0, "other": 0}}
    ended = body["ended_without_placement"]
    assert ended["requests"] == 1 and ended["by_reason"] == {"case closed": 1}
    assert body["optimizer_unplaced"] == {"proposals": 1, "requests": 1,
                                          "by_rule": {"H1": 1, "H3": 1}, "capacity_only": 0}
    assert body["overrides"] == {"placements": 1, "by_rule": {"H6": 1}}


def test_the_national_coordinator_sees_every_region_or_one(script):
    body = script.get("national").get_json()
    assert body["region"] is None and body["waits"]["requests"] == 4
    assert body["waits"]["never_held"] == 1
    assert body["optimizer_unplaced"]["requests"] == 2
    assert body["optimizer_unplaced"]["capacity_only"] == 1
    gjilan = script.get("national", region="gjilan").get_json()
    assert gjilan["waits"]["requests"] == 1 and gjilan["declines"]["total"] == 0


def test_a_period_before_the_events_has_none(script):
    body = script.get("national", **{"from": "2020-01-01", "to": "2020-02-01"}).get_json()
    assert body["waits"]["requests"] == 0
    assert body["waits"]["to_first_hold"] == {"count": 0, "median_hours": None}


@pytest.mark.parametrize("role, status", [("case", 403), ("prishtine", 403)])
def test_only_coordinators_read_unmet_need(script, role, status):
    assert script.get(role).status_code == status


def test_scope_and_input_are_checked(script):
    assert script.get("coordinator", region="gjilan").status_code == 404
    too_long = script.get("national", **{"from": "2024-01-01", "to": "2026-01-01"})
    assert too_long.status_code == 422 and "to" in too_long.get_json()["message"]
    assert script.get("national", audience="external").status_code == 422


def _rows(response):
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["section", "item", "measure", "value"]
    return {(r[0], r[1], r[2]): r[3] for r in rows[1:]}


def test_the_internal_csv_carries_every_figure(script):
    response = script.get("coordinator", format="csv")
    assert 'filename="streha-unmet-need-' in response.headers["Content-Disposition"]
    rows = _rows(response)
    assert rows[("period", "region", "code")] == "prishtine"
    assert rows[("declines", "no_capacity", "count")] == "1"
    assert rows[("waits", "to_first_hold", "median_hours")] == "1.0"
    assert rows[("overrides", "H6", "count")] == "1"


def test_the_external_csv_withholds_small_numbers(script):
    response = script.get("coordinator", format="csv", audience="external")
    assert 'filename="streha-unmet-need-external-' in response.headers["Content-Disposition"]
    rows = _rows(response)
    assert rows[("declines", "no_capacity", "count")] == "<5"
    assert rows[("declines", "needs_not_met", "count")] == "0"
    assert rows[("waits", "requests", "count")] == "<5"
    assert rows[("waits", "to_first_hold", "median_hours")] == "<5"
    assert "1" not in {value for key, value in rows.items() if key[0] != "period"}


def test_a_runs_summary_gives_the_figures_its_every_shelter_list_gave(client, network,
                                                                      make_user):
    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    crowd = [{"gender": "female", "age": 30 + k, "role": "primary" if k == 0 else "adult"}
             for k in range(12)]
    boy = [{"gender": "female", "age": 35, "role": "primary"},
           {"gender": "male", "age": 16, "role": "child"}]
    for persons in (crowd, boy):
        open_request(client, case_manager, persons=persons, suspects=[])
    run = client.post("/api/v1/optimizer/runs", json={"time_limit": 5},
                      headers=national.headers)
    assert run.status_code == 202, run.get_json()
    headers = national.headers
    figures = client.get(URL, headers=headers).get_json()["optimizer_unplaced"]
    assert figures["requests"] == 2 and figures["by_rule"]
    # The same run as runs stored it before the summary: every excluded shelter with its rules.
    for proposal in db.session.scalars(sa.select(Proposal).where(Proposal.shelter_id.is_(None))):
        live = client.get(f"/api/v1/placement-requests/{proposal.request_id}/proposals",
                          query_string={"excluded_limit": 500}, headers=headers).get_json()
        proposal.explanation = {"excluded": [
            {"shelter": e["shelter"]["id"], "name": e["shelter"]["name"], "rules": e["rules"],
             "reasons": e["reasons"]} for e in live["excluded"]]}
    db.session.commit()
    assert client.get(URL, headers=headers).get_json()["optimizer_unplaced"] == figures
