"""Every list runs the same number of SQL statements for a page of two rows as for a page of
many: nothing is read once per row (requests, holds, notifications, cases)."""

import pytest
import sqlalchemy as sa

from placement.extensions import db
from tests.placement.workflow_helpers import open_request

ALONE = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]
TOWNS = ("prishtine", "gjilan", "peje", "prizren", "mitrovice", "ferizaj")
LISTS = ("/api/v1/placement-requests", "/api/v1/holds", "/api/v1/cases",
         "/api/v1/notifications")


def held_request(client, caller, town):
    """A case, its request, and a hold on the first option the proposals offer."""
    _case, request = open_request(client, caller, municipality=town, category="thb", risk="low",
                                  persons=ALONE, suspects=[])
    path = f"/api/v1/placement-requests/{request['id']}"
    options = client.get(f"{path}/proposals", headers=caller.headers).get_json()["options"]
    hold = client.post(f"{path}/holds", headers=caller.headers, json={
        "shelter_id": options[0]["shelter"]["id"], "room_id": options[0]["room"]})
    assert hold.status_code == 201, hold.get_json()


def statements(client, caller, path):
    """(SQL statements of a call, its X-Total-Count), after one call that is not counted: the
    tests share the app's session, whose state the calls before may have left in any shape."""
    client.get(path, headers=caller.headers)
    seen = []

    def count(*_args):
        seen.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        answer = client.get(path, headers=caller.headers)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert answer.status_code == 200, answer.get_json()
    return len(seen), int(answer.headers["X-Total-Count"])


@pytest.mark.parametrize("role", ["case_manager", "shelter_manager", "national_coordinator"])
def test_a_longer_list_takes_no_more_statements(client, network, make_user, role):
    case_manager = make_user("case_manager")
    reader = {"case_manager": case_manager,
              "shelter_manager": make_user("shelter_manager", shelters=sorted(network)),
              "national_coordinator": make_user("national_coordinator")}[role]
    paths = [p for p in LISTS if role == "case_manager" or "cases" not in p]
    for town in TOWNS[:2]:
        held_request(client, case_manager, town)
    few = {path: statements(client, reader, path) for path in paths}
    for town in TOWNS[2:]:
        held_request(client, case_manager, town)
    many = {path: statements(client, reader, path) for path in paths}
    for path in paths:
        assert many[path][0] == few[path][0], path
    assert many["/api/v1/holds"][1] == few["/api/v1/holds"][1] + len(TOWNS) - 2 > 2
    if role != "shelter_manager":
        requests = "/api/v1/placement-requests"
        assert many[requests][1] == few[requests][1] + len(TOWNS) - 2
