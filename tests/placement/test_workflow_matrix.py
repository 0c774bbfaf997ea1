"""Every workflow route for every role: the exact status, and a refused call changes nothing.

One row of MATRIX per route, one column per caller. The objects are a case with a request in
Prishtinë holding beds at dv-prishtine, an accepted placement and a placed one at the same
shelter, a case with no request, and (for the run routes) a regional run. Refusals all run on
one set of objects, each followed by a look at every workflow table; each caller a route lets
through gets a fresh set, so that one success does not turn the next into a 409.
"""

import pytest
import sqlalchemy as sa

from placement.extensions import db
from tests.placement.workflow_helpers import open_request

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]
# Far from Prishtinë (Dragash), with digits nothing else in a response would carry.
SUSPECT = {"lat": 42.061234, "lon": 20.651234}
SUSPECT_DIGITS = ("061234", "651234")

# cm: case manager of the owning organisation; sm: manager of dv-prishtine, where the beds are
# held; rc: coordinator of Prishtinë, the request's region; -x: the same role elsewhere.
# The hold route asks for beds at dv-gjilan, outside rc's region: rc cannot read that shelter, so
# it is as absent to their hold as to their GET (422 naming shelter_id).
MATRIX = """
route                                          cm   cm-x sm   sm-x rc   rc-x nc   admin anon
GET   /cases                                   200  200  403  403  403  403  403  403   401
POST  /cases                                   201  201  403  403  403  403  403  403   401
GET   /cases/{case}                            200  404  403  403  403  403  403  403   401
PATCH /cases/{case}                            200  404  403  403  403  403  403  403   401
POST  /cases/{case}/close                      200  404  403  403  403  403  403  403   401
GET   /placement-requests                      200  200  200  200  200  200  200  403   401
POST  /placement-requests                      201  404  403  403  403  403  403  403   401
GET   /placement-requests/{request}            200  404  200  404  200  404  200  403   401
GET   /placement-requests/{request}/events     200  404  403  403  200  404  200  403   401
GET   /placement-requests/{request}/proposals  200  404  403  403  200  404  200  403   401
POST  /placement-requests/{request}/holds      201  404  403  403  422  404  201  403   401
POST  /placement-requests/{request}/override   403  403  403  403  200  404  200  403   401
GET   /holds                                   200  200  200  200  200  200  200  403   401
GET   /holds/{hold}                            200  404  200  404  200  404  200  403   401
POST  /holds/{hold}/accept                     403  403  200  404  403  403  403  403   401
POST  /holds/{hold}/decline                    403  403  200  404  403  403  403  403   401
POST  /holds/{hold}/cancel                     200  404  403  403  200  404  200  403   401
GET   /placements/{accepted}                   200  404  200  404  200  404  200  403   401
POST  /placements/{accepted}/arrive            403  403  200  404  403  403  403  403   401
POST  /placements/{accepted}/no-show           403  403  200  404  403  403  403  403   401
GET   /placements/{placed}                     200  404  200  404  200  404  200  403   401
POST  /placements/{placed}/discharge           403  403  200  404  403  403  403  403   401
POST  /placements/{placed}/transfer            201  404  403  403  201  404  201  403   401
POST  /optimizer/runs                          403  403  403  403  202  202  202  403   401
GET   /optimizer/runs/{run}                    403  403  403  403  200  404  200  403   401
"""


def _parse(table):
    header, *rows = [line.split() for line in table.strip().splitlines()]
    roles = header[1:]
    return roles, {f"{row[0]} {row[1]}": dict(zip(roles, map(int, row[2:]), strict=True))
                   for row in rows}


ROLES, EXPECTED = _parse(MATRIX)

# Request bodies; a callable gets the objects of the world it runs against.
BODIES = {
    "POST /cases": lambda w: {"category": "dv", "risk": "low", "persons": WOMAN,
                              "referral_source": "police", "identifying_authority": "police"},
    "PATCH /cases/{case}": lambda w: {"identifying_authority": "social_work_centre"},
    "POST /cases/{case}/close": lambda w: {"reason": "returned home"},
    "POST /placement-requests": lambda w: {"case_id": w["free_case"], "urgency": "routine",
                                           "current_municipality": "prishtine"},
    "POST /placement-requests/{request}/holds": lambda w: {"shelter_id": w["dv-gjilan"]},
    "POST /placement-requests/{request}/override": lambda w: {
        "rules": ["H6"], "justification": "the suspect is in custody"},
    "POST /holds/{hold}/decline": lambda w: {"reason": "no_capacity"},
    "POST /placements/{placed}/discharge": lambda w: {"reason": "independent_living"},
    "POST /placements/{placed}/transfer": lambda w: {"urgency": "routine"},
    "POST /optimizer/runs": lambda w: {"time_limit": 1},
}

# For list routes: the roles that find the world's object in the answer.
LISTED = {
    "GET /cases": ("case", {"cm"}),
    "GET /placement-requests": ("request", {"cm", "sm", "rc", "nc"}),
    "GET /holds": ("hold", {"cm", "sm", "rc", "nc"}),
}


@pytest.fixture
def callers(network, make_user):
    """One caller per column."""
    return {
        "cm": make_user("case_manager", organisation="org-a"),
        "cm-x": make_user("case_manager", organisation="org-b"),
        "sm": make_user("shelter_manager", shelters=["dv-prishtine"]),
        "sm-x": make_user("shelter_manager", shelters=["dv-gjilan"]),
        "rc": make_user("regional_coordinator", region="prishtine"),
        "rc-x": make_user("regional_coordinator", region="prizren"),
        "nc": make_user("national_coordinator"),
        "admin": make_user("admin"),
        "anon": None,
    }


def _ok(response, status=200):
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _held_request(client, callers, network):
    case, request = open_request(client, callers["cm"], persons=WOMAN, suspects=[SUSPECT])
    hold = _ok(client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                           json={"shelter_id": network["dv-prishtine"]},
                           headers=callers["cm"].headers), 201)
    return case, request, hold


def _accepted_placement(client, callers, network):
    _case, request, hold = _held_request(client, callers, network)
    _ok(client.post(f"/api/v1/holds/{hold['id']}/accept", headers=callers["sm"].headers))
    return _ok(client.get(f"/api/v1/placement-requests/{request['id']}",
                          headers=callers["cm"].headers))["placement"]["id"]


def _world(client, callers, network, with_run=False):
    """A fresh set of objects, all owned by `cm`'s organisation, in Prishtinë."""
    case, request, hold = _held_request(client, callers, network)
    accepted = _accepted_placement(client, callers, network)
    placed = _accepted_placement(client, callers, network)
    _ok(client.post(f"/api/v1/placements/{placed}/arrive", headers=callers["sm"].headers))
    free_case = _ok(client.post("/api/v1/cases", json=BODIES["POST /cases"](None),
                                headers=callers["cm"].headers), 201)
    world = {"case": case["id"], "request": request["id"], "hold": hold["id"],
             "accepted": accepted, "placed": placed, "free_case": free_case["id"],
             "dv-gjilan": network["dv-gjilan"]}
    if with_run:
        world["run"] = _ok(client.post("/api/v1/optimizer/runs", json={"time_limit": 1},
                                       headers=callers["rc"].headers), 202)["id"]
    return world


def _snapshot():
    """Every workflow row that an action could change, read fresh from the database."""
    db.session.expire_all()
    queries = {
        "cases": "SELECT id, status, risk, identifying_authority, suspects_sealed IS NULL"
                 " FROM cases ORDER BY id",
        "requests": "SELECT id, status, override_rules FROM placement_requests ORDER BY id",
        "holds": "SELECT id, status, decided_at FROM holds ORDER BY id",
        "placements": "SELECT id, status, arrived_at, ended_at FROM placements ORDER BY id",
        "beds": "SELECT id, status, hold_id, placement_id FROM beds ORDER BY id",
        "events": "SELECT count(*) FROM request_events",
        "runs": "SELECT count(*) FROM optimizer_runs",
        "proposals": "SELECT count(*) FROM proposals",
    }
    state = {name: [tuple(map(str, row)) for row in db.session.execute(sa.text(sql))]
             for name, sql in queries.items()}
    db.session.rollback()
    return state


def _call(client, caller, route, world):
    method, template = route.split()
    path = "/api/v1" + template.format(**world)
    body = BODIES[route](world) if route in BODIES else None
    headers = caller.headers if caller else {}
    return client.open(path, method=method, json=body, headers=headers)


def _check(route, role, response, world):
    """What is wrong with this answer, or None."""
    expected = EXPECTED[route][role]
    if response.status_code != expected:
        return f"{role}: {response.status_code}, expected {expected}: {response.get_json()}"
    text = response.get_data(as_text=True)
    if role != "cm" and any(digits in text for digits in SUSPECT_DIGITS):
        return f"{role}: the answer carries the suspect's coordinates"
    if route in LISTED and expected == 200:
        key, seers = LISTED[route]
        found = world[key] in {item["id"] for item in response.get_json()}
        if found != (role in seers):
            return f"{role}: object {'listed' if found else 'missing'}"
    return None


@pytest.mark.parametrize("route", list(EXPECTED))
def test_route_answers_every_role_and_a_refusal_changes_nothing(client, network, callers, route):
    with_run = "{run}" in route
    world = _world(client, callers, network, with_run)
    mutating = not route.startswith("GET")
    allowed = [role for role in ROLES if mutating and EXPECTED[route][role] < 300]
    failures = []
    for role in ROLES:
        if role in allowed:
            continue
        before = _snapshot()
        response = _call(client, callers[role], route, world)
        failures.append(_check(route, role, response, world))
        if response.status_code >= 300 and _snapshot() != before:
            failures.append(f"{role}: refused with {response.status_code} but changed state")
    for index, role in enumerate(allowed):
        fresh = world if index == 0 else _world(client, callers, network, with_run)
        failures.append(_check(route, role, _call(client, callers[role], route, fresh), fresh))
    failures = [f for f in failures if f]
    assert not failures, f"{route}:\n" + "\n".join(failures)
