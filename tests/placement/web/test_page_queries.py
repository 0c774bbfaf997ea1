"""Pages that list things read nothing per row: a run's page takes as many SQL statements for
a run of six requests as for a run of two."""

import sqlalchemy as sa

from placement.extensions import db
from tests.placement.web.pages import sign_in
from tests.placement.workflow_helpers import open_request

ALONE = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]
TOWNS = ("prishtine", "gjilan", "peje", "prizren", "mitrovice", "ferizaj")


def run_page_statements(client, national):
    run = client.post("/api/v1/optimizer/runs", json={"time_limit": 5}, headers=national.headers)
    assert run.status_code == 202, run.get_json()
    path = f"/coordinator/runs/{run.get_json()['id']}"
    client.get(path)  # not counted: the session's state after the run
    seen = []

    def count(*_args):
        seen.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = client.get(path)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert page.status_code == 200
    return len(seen), page.get_data(as_text=True).count('id="result-')


def test_a_runs_page_takes_no_more_statements_for_more_proposals(client, network, make_user):
    case_manager = make_user("case_manager")
    national = make_user("national_coordinator")
    for town in TOWNS[:2]:
        open_request(client, case_manager, municipality=town, category="thb", risk="low",
                     persons=ALONE, suspects=[])
    assert sign_in(client, national.username).status_code == 302
    few, shown = run_page_statements(client, national)
    assert shown == 2
    for town in TOWNS[2:]:
        open_request(client, case_manager, municipality=town, category="thb", risk="low",
                     persons=ALONE, suspects=[])
    many, shown = run_page_statements(client, national)
    assert shown == len(TOWNS)
    assert many == few
