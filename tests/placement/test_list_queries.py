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


def counted(client, caller, path):
    """(SQL statements of a call, its answer), after one call that is not counted: the tests
    share the app's session, whose state the calls before may have left in any shape."""
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
    return len(seen), answer


def statements(client, caller, path):
    """(SQL statements of a call, its X-Total-Count)."""
    count, answer = counted(client, caller, path)
    return count, int(answer.headers["X-Total-Count"])


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


def test_a_shelters_rooms_take_no_more_statements_when_it_has_more_rooms(
        client, network, make_user):
    manager = make_user("shelter_manager", shelters=["dv-peje"])
    path = f"/api/v1/shelters/{network['dv-peje']}/rooms"

    def rooms():
        count, answer = counted(client, manager, path)
        return count, answer.get_json()

    few, before = rooms()
    for number in range(4):
        added = client.post(path, headers=manager.headers, json={
            "code": f"X{number}", "kind": "adult", "gender": "female", "beds": 3})
        assert added.status_code == 201, added.get_json()
    many, after = rooms()
    assert len(after) == len(before) + 4
    assert sum(len(room["beds"]) for room in after) == sum(
        len(room["beds"]) for room in before) + 12
    assert many == few


@pytest.mark.parametrize("path, whole", [("/api/v1/regions", 5), ("/api/v1/municipalities", 38),
                                         ("/api/v1/municipalities?region=peje", 6)])
def test_regions_and_municipalities_page_like_every_list(client, network, make_user, path, whole):
    caller = make_user("case_manager")
    everything = client.get(path, headers=caller.headers)
    assert len(everything.get_json()) == whole
    assert everything.headers["X-Total-Count"] == str(whole)
    joiner = "&" if "?" in path else "?"
    page = client.get(f"{path}{joiner}limit=2&offset=1", headers=caller.headers)
    assert page.get_json() == everything.get_json()[1:3]
    assert page.headers["X-Total-Count"] == str(whole)
    refused = client.get(f"{path}{joiner}limit=501", headers=caller.headers)
    assert refused.status_code == 422 and "limit" in str(refused.get_json()["errors"])


def test_an_unknown_region_is_refused_naming_the_field(client, network, make_user):
    answer = client.get("/api/v1/municipalities?region=atlantis",
                        headers=make_user("case_manager").headers)
    assert answer.status_code == 422
    assert "region" in answer.get_json()["errors"]
