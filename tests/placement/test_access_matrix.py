"""Every route, every role, against an object in its scope and one outside it.

The rules (SPEC section 7 and issue 2): out of scope answers 404, the same as absent; a role that
may never do a thing answers 403; no token answers 401.
"""

import pytest
import sqlalchemy as sa

from placement.extensions import db
from placement.models import Bed, Room, Shelter
from placement.services import capacity, shelters
from tests.placement.conftest import remember_coordinate

ROLES = ("case_manager", "shelter_manager", "regional_coordinator", "national_coordinator", "admin")
OWN, OTHER = "dv-peje", "dv-gjilan"  # the shelter manager's shelter, in the coordinator's region
NEW_LOCATION = (42.551234, 20.987654)


def _new_shelter():
    return {
        "id": "dv-new",
        "name": "New shelter",
        "kind": "dv",
        "region": "peje",
        "municipality": "kline",
        "lat": NEW_LOCATION[0],
        "lon": NEW_LOCATION[1],
        "gender_policy": "women",
        "rooms": [{"id": "A1", "kind": "adult", "gender": "female", "beds": 2}],
    }


# name: (method, path, body, what it is, success status)
ROUTES = {
    "list regions": ("GET", "/regions", None, "public", 200),
    "list municipalities": ("GET", "/municipalities", None, "public", 200),
    "me": ("GET", "/me", None, "public", 200),
    "list shelters": ("GET", "/shelters", None, "public", 200),
    "read shelter": ("GET", "/shelters/{shelter}", None, "read", 200),
    "read rooms": ("GET", "/shelters/{shelter}/rooms", None, "detail", 200),
    "add room": (
        "POST",
        "/shelters/{shelter}/rooms",
        {"code": "X9", "kind": "adult", "gender": "female", "beds": 2},
        "capacity",
        201,
    ),
    "confirm": ("POST", "/shelters/{shelter}/confirm", None, "capacity", 200),
    "remove room": ("DELETE", "/rooms/{room}", None, "capacity", 204),
    "add beds": ("POST", "/rooms/{room}/beds", {"count": 2}, "capacity", 201),
    "bed out of service": (
        "PATCH",
        "/beds/{bed}",
        {"status": "out_of_service", "reason": "broken frame"},
        "capacity",
        200,
    ),
    "remove bed": ("DELETE", "/beds/{bed}", None, "capacity", 204),
    "resident arrives": (
        "POST",
        "/beds/{bed}/resident",
        {"gender": "female", "age": 34, "group": "walk-in-1"},
        "capacity",
        201,
    ),
    "resident departs": (
        "POST",
        "/beds/{occupied_bed}/departure",
        {"reason": "moved to family"},
        "capacity",
        200,
    ),
    "change shelter": ("PATCH", "/shelters/{shelter}", {"languages": ["sq"]}, "admin", 200),
    "create shelter": ("POST", "/shelters", _new_shelter(), "admin", 201),
    "occupancy": ("GET", "/occupancy", None, "public", 200),
    "occupancy csv": ("GET", "/occupancy?format=csv", None, "public", 200),
    "occupancy history": ("GET", "/occupancy/history", None, "history", 200),
    "shelter history": ("GET", "/occupancy/history?shelter={shelter}", None, "history", 200),
    "unmet need": ("GET", "/occupancy/unmet-need", None, "unmet", 200),
    "service capacity feed": ("GET", "/occupancy/service-capacity", None, "feed", 200),
}

# role: (what it may do, whether it sees OTHER)
SCOPE = {
    "case_manager": ({"public", "read"}, True),
    "shelter_manager": ({"public", "read", "detail", "capacity", "history"}, False),
    "regional_coordinator": ({"public", "read", "detail", "history", "unmet", "feed"}, False),
    "national_coordinator": ({"public", "read", "detail", "history", "unmet", "feed"}, True),
    "admin": ({"public", "read", "detail", "capacity", "admin", "history", "feed"}, True),
}


def expected(role, route, which):
    _method, path, _body, kind, success = ROUTES[route]
    allowed, sees_other = SCOPE[role]
    if kind not in allowed:
        return 403
    has_object = "{" in path
    if has_object and which == "other" and not sees_other:
        return 404
    return success


def _objects(code):
    """Ids of one shelter's objects: a free room (A2), a bed in A1, an occupied bed in A1."""
    shelter = db.session.scalar(sa.select(Shelter).where(Shelter.code == code))
    rooms = {room.code: room for room in shelter.rooms}
    first, second, third = rooms["A1"].beds[:3]
    capacity.admit_resident(third, {"gender": "female", "age": 40, "group": "g"}, "in", None)
    return {
        "shelter": shelter.id,
        "room": rooms["A2"].id,
        "bed": first.id,
        "occupied_bed": third.id,
        "etag": shelters.etag(shelter),
    }


@pytest.fixture
def objects(network):
    found = {"own": _objects(OWN), "other": _objects(OTHER)}
    db.session.commit()
    for which in found.values():
        which["etag"] = shelters.etag(db.session.get(Shelter, which["shelter"]))
    for value in NEW_LOCATION:
        remember_coordinate(value)
    return found


@pytest.fixture
def caller(make_user):
    def make(role):
        return make_user(role, shelters=[OWN], region="peje")

    return make


def _request(client, route, target, headers):
    method, path, body, _kind, _success = ROUTES[route]
    headers = {**headers, "If-Match": target["etag"]} if method == "PATCH" else headers
    return client.open("/api/v1" + path.format(**target), method=method, json=body, headers=headers)


MATRIX = [
    (role, route, which)
    for role in ROLES
    for route in sorted(ROUTES)
    for which in (("own", "other") if "{" in ROUTES[route][1] else ("own",))
]


@pytest.mark.parametrize("role, route, which", MATRIX)
def test_route_answers_by_role_and_scope(client, objects, caller, role, route, which):
    response = _request(client, route, objects[which], caller(role).headers)
    assert response.status_code == expected(role, route, which), response.get_json()
    if response.status_code >= 400:
        assert set(response.get_json()) == {"code", "status", "message", "errors"}


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_every_route_needs_a_token(client, objects, route):
    response = _request(client, route, objects["own"], {})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("route", ["read shelter", "read rooms", "bed out of service"])
def test_an_absent_object_reads_like_one_out_of_scope(client, objects, caller, route):
    missing = {key: 999_999 for key in ("shelter", "room", "bed", "occupied_bed")}
    response = _request(client, route, {**missing, "etag": '"x"'}, caller("admin").headers)
    assert response.status_code == 404


def test_lists_are_scoped(client, objects, caller):
    def codes(role):
        body = client.get("/api/v1/shelters", headers=caller(role).headers).get_json()
        return {s["code"] for s in body}

    assert codes("shelter_manager") == {OWN}
    assert codes("regional_coordinator") == {OWN, "thb-rruga"}
    for role in ("case_manager", "national_coordinator", "admin"):
        assert len(codes(role)) == 8


def test_a_case_manager_sees_policy_and_free_beds_by_room_kind_but_no_counts(
    client, objects, caller
):
    headers = caller("case_manager").headers
    view = client.get(f"/api/v1/shelters/{objects['own']['shelter']}", headers=headers).get_json()
    assert view["free_beds"] == {"adult": 6, "family": 8}
    for name in ("gender_policy", "security_level", "languages", "services", "freshness"):
        assert name in view
    for hidden in ("counts", "counts_by_room_kind", "confirmed_at", "location_disclosure"):
        assert hidden not in view


@pytest.mark.parametrize("role", ["shelter_manager", "regional_coordinator", "admin"])
def test_other_roles_see_counts_not_free_beds(client, objects, caller, role):
    headers = caller(role).headers
    view = client.get(f"/api/v1/shelters/{objects['own']['shelter']}", headers=headers).get_json()
    assert "free_beds" not in view
    assert view["counts"] == {
        "total": 15,
        "in_service": 15,
        "occupied": 1,
        "held": 0,
        "out_of_service": 0,
        "available": 14,
    }


def test_patching_a_shelter_needs_a_current_etag(client, objects, caller):
    headers = caller("admin").headers
    url = f"/api/v1/shelters/{objects['own']['shelter']}"
    body = {"languages": ["sq", "en"]}
    assert client.patch(url, json=body, headers=headers).status_code == 428
    current = client.get(url, headers=headers).headers["ETag"]
    changed = client.patch(url, json=body, headers={**headers, "If-Match": current})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != current
    stale = client.patch(url, json={"languages": ["sr"]}, headers={**headers, "If-Match": current})
    assert stale.status_code == 412
    assert client.get(url, headers=headers).get_json()["languages"] == ["sq", "en"]


def test_a_capacity_change_with_a_stale_etag_is_refused(client, objects, caller):
    headers = caller("shelter_manager").headers
    own = objects["own"]
    first = client.patch(
        f"/api/v1/beds/{own['bed']}",
        json={"status": "out_of_service", "reason": "leak"},
        headers={**headers, "If-Match": own["etag"]},
    )
    assert first.status_code == 200
    room = db.session.get(Room, own["room"])
    second_bed = room.beds[0].id
    stale = client.patch(
        f"/api/v1/beds/{second_bed}",
        json={"status": "out_of_service", "reason": "leak"},
        headers={**headers, "If-Match": own["etag"]},
    )
    assert stale.status_code == 412
    assert db.session.get(Bed, second_bed).status == "available"
