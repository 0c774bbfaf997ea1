"""A coordinator reads why a run left a request unplaced: the shelters each rule ruled out,
counted, with a few named; not one row per shelter of the network. Runs stored before the
summary (every excluded shelter listed) still show the same way."""

import re

import sqlalchemy as sa

from placement import clock
from placement.extensions import db
from placement.models import OptimizerRun, Proposal, Shelter
from tests.placement.test_shelter_list import add_generated_shelters
from tests.placement.web.pages import sign_in
from tests.placement.workflow_helpers import open_request

CROWD = [{"gender": "female", "age": 30 + k, "role": "primary" if k == 0 else "adult",
          "languages": ["sq"]} for k in range(12)]
MORE_SHELTERS = 300


def _text(response):
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _section(page, request_id):
    return page.split(f'id="result-{request_id}"')[1].split("</section>")[0]


def _counted(text, rule, shelters):
    """The summary's row for `rule`: the rule in words, then how many shelters it ruled out."""
    return re.search(rf'<th scope="row">{rule}: [^<]+</th>\s*<td class="numeric">{shelters}</td>',
                     text)


def test_a_run_page_counts_the_shelters_each_rule_ruled_out(client, network, make_user):
    add_generated_shelters(MORE_SHELTERS)
    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    _case, crowd = open_request(client, case_manager, category="thb", risk="low", persons=CROWD,
                                suspects=[])
    run = client.post("/api/v1/optimizer/runs", json={"time_limit": 5}, headers=national.headers)
    assert run.status_code == 202, run.get_json()
    live = client.get(f"/api/v1/placement-requests/{crowd['id']}/proposals",
                      headers=national.headers).get_json()
    sign_in(client, national.username)
    result = _section(_text(client.get(f"/coordinator/runs/{run.get_json()['id']}")), crowd["id"])
    request_page = _text(client.get(f"/coordinator/requests/{crowd['id']}"))
    shelters = len(network) + MORE_SHELTERS
    for text in (result, request_page):
        assert f"Shelters excluded: {shelters}." in text
        for entry in live["excluded_by_rule"]:
            assert _counted(text, entry["rule"], entry["shelters"]), entry["rule"]
            for example in entry["examples"]:
                assert example["name"] in text
        # Not a row per shelter: the last generated shelter is neither listed nor an example.
        assert f"Generated {MORE_SHELTERS - 1}<" not in text
        assert f"Generated {MORE_SHELTERS - 1}," not in text
    assert live["relaxations_total"] > 25
    assert f"The first 25 of {live['relaxations_total']}." in result
    assert len(result) < 20_000


def test_a_run_stored_with_every_excluded_shelter_still_shows_its_summary(
        client, network, make_user):
    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    _case, request = open_request(client, case_manager, persons=CROWD[:1], suspects=[])
    names = dict(db.session.execute(sa.select(Shelter.id, Shelter.name)).all())
    first, second, third = sorted(names)[:3]
    run = OptimizerRun(status="succeeded", started_at=clock.now(), finished_at=clock.now(),
                       summary={"requests": 1, "assigned": 0, "unassigned": 1})
    db.session.add(run)
    db.session.flush()
    db.session.add(Proposal(run_id=run.id, request_id=request["id"], created_at=clock.now(),
                            explanation={
        "excluded": [
            {"shelter": first, "name": names[first], "rules": ["H4"], "reasons": ["H4: men"]},
            {"shelter": second, "name": names[second], "rules": ["H1", "H4"],
             "reasons": ["H1: beds", "H4: men"]},
            {"shelter": third, "name": names[third], "rules": ["H1"], "reasons": ["H1: beds"]},
        ],
        "relaxations": [{"rule": "H4", "shelter": first, "parameter": "max_accompanying_boy_age",
                         "current": 12, "relaxed": 16, "message": "H4: boys up to 16"}],
    }))
    db.session.commit()
    sign_in(client, national.username)
    result = _section(_text(client.get(f"/coordinator/runs/{run.id}")), request["id"])
    assert "Shelters excluded: 3." in result
    assert _counted(result, "H1", 2) and _counted(result, "H4", 2)
    assert f"{names[first]}, {names[second]}</td>" in result  # H4's examples
    assert (f"{names[first]}, rule H4: Would fit if this shelter took accompanying boys up to"
            " age 16") in result


def test_a_runs_page_shows_its_results_a_page_at_a_time(client, network, make_user,
                                                        monkeypatch):
    from placement.web.views import coordinator

    monkeypatch.setattr(coordinator, "RUN_PAGE_SIZE", 2)
    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    asked = [open_request(client, case_manager, persons=CROWD[:1], suspects=[])[1]["id"]
             for _ in range(5)]
    run = client.post("/api/v1/optimizer/runs", json={"time_limit": 5}, headers=national.headers)
    assert run.status_code == 202, run.get_json()
    path = f"/coordinator/runs/{run.get_json()['id']}"
    sign_in(client, national.username)
    shown = []
    for number in (1, 2, 3):
        page = _text(client.get(path, query_string={"page": number}))
        shown.append([int(found) for found in re.findall(r'id="result-(\d+)"', page)])
        assert f"Page {number} of 3" in page
        assert (f'{path}?page={number + 1}"' in page) == (number < 3)
        assert (f'{path}?page={number - 1}"' in page) == (number > 1)
    assert shown == [sorted(asked)[:2], sorted(asked)[2:4], sorted(asked)[4:]]
    # A page past the end (a huge one too) is the last page, with its way back.
    for number in (4, 10**12):
        beyond = _text(client.get(path, query_string={"page": number}))
        assert [int(found) for found in re.findall(r'id="result-(\d+)"', beyond)] == shown[2]
        assert "Page 3 of 3" in beyond and f'{path}?page=2"' in beyond
