"""GET /shelters pages (limit, offset, X-Total-Count), filters by region and kind, keeps each
role's scope, and runs the same number of SQL statements whatever the network's size."""

import pytest
import sqlalchemy as sa

from placement import clock
from placement.extensions import db
from placement.models import Bed, Room, Shelter
from placement.services.network import seal_location
from tests.placement.conftest import remember_coordinate
from tests.placement.workflow_helpers import sequences_past_given_ids

URL = "/api/v1/shelters"


def listed(client, caller, **params):
    return client.get(URL, query_string=params, headers=caller.headers)


def codes(answer):
    return [s["code"] for s in answer.get_json()]


def add_generated_shelters(count):
    """`count` more shelters (one room of two beds each) written straight into the tables."""
    moment = clock.now()
    first = db.session.scalar(sa.select(sa.func.max(Shelter.id))) + 1
    first_room = (db.session.scalar(sa.select(sa.func.max(Room.id))) or 0) + 1
    for n in range(count):
        lat, lon = 42.660000 + n / 10_000_007, 20.290000 + n / 10_000_019
        remember_coordinate(lat)
        remember_coordinate(lon)
        shelter_id, room_id = first + n, first_room + n
        db.session.execute(sa.insert(Shelter), [{
            "id": shelter_id, "code": f"gen-{n}", "name": f"Generated {n}",
            "kind": ("dv", "thb")[n % 2], "region_code": "peje", "municipality_code": "peje",
            "location_sealed": seal_location(lat, lon), "anchor_lat": 42.66, "anchor_lon": 20.29,
            "anchor_set": False, "privacy_radius_km": 3.0, "privacy_radius_set": False,
            "area_municipalities": ["peje"], "location_disclosure": "municipality",
            "security_level": "standard", "gender_policy": "women", "languages": ["sq"],
            "services": [], "changed_at": moment, "created_at": moment, "version": 1}])
        db.session.execute(sa.insert(Room), [{"id": room_id, "shelter_id": shelter_id,
                                              "code": "A1", "kind": "adult", "gender": "female"}])
        db.session.execute(sa.insert(Bed), [
            {"room_id": room_id, "code": f"A1-{b}", "status": "available"} for b in (1, 2)])
    db.session.commit()
    sequences_past_given_ids("shelters", "rooms")


def statements_for(client, caller, **params):
    """(SQL statements one call runs, how many shelters it answered)."""
    seen = []

    def count(*_args):
        seen.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        answer = listed(client, caller, **params)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert answer.status_code == 200, answer.get_json()
    return len(seen), len(answer.get_json())


@pytest.mark.parametrize("role", ["case_manager", "national_coordinator", "admin"])
def test_the_list_runs_the_same_statements_at_any_network_size(client, network, make_user, role):
    caller = make_user(role)
    listed(client, caller)  # the first call of a token may do one-off work: not counted
    small, shown = statements_for(client, caller, limit=500)
    assert shown == len(network)
    add_generated_shelters(120)
    large, shown = statements_for(client, caller, limit=500)
    assert shown == len(network) + 120
    assert large == small
    assert statements_for(client, caller, limit=50) == (small, 50)


def test_a_page_is_a_slice_of_the_whole_list_with_the_total_in_a_header(
        client, network, make_user):
    caller = make_user("national_coordinator")
    whole = listed(client, caller, limit=500)
    page = listed(client, caller, limit=3, offset=2)
    assert page.status_code == whole.status_code == 200
    assert page.get_json() == whole.get_json()[2:5]
    assert page.headers["X-Total-Count"] == whole.headers["X-Total-Count"] == str(len(network))
    beyond = listed(client, caller, offset=len(network))
    assert beyond.get_json() == [] and beyond.headers["X-Total-Count"] == str(len(network))


def test_without_a_limit_a_page_holds_fifty_shelters(client, network, make_user):
    add_generated_shelters(60)
    answer = listed(client, make_user("case_manager"))
    assert len(answer.get_json()) == 50
    assert answer.headers["X-Total-Count"] == str(len(network) + 60)


@pytest.mark.parametrize("field, value", [("limit", 0), ("limit", 501), ("limit", "ten"),
                                          ("offset", -1), ("offset", 1_000_001),
                                          ("region", "atlantis"), ("region", ""),
                                          ("kind", "hostel")])
def test_a_bad_page_or_filter_is_refused_naming_the_field(client, network, make_user, field,
                                                           value):
    answer = listed(client, make_user("national_coordinator"), **{field: value})
    assert answer.status_code == 422
    body = answer.get_json()
    assert field in str(body["errors"]) and field in body["message"] + str(body["errors"])


def test_region_and_kind_narrow_the_list_and_its_total(client, network, make_user):
    caller = make_user("national_coordinator")
    everyone = listed(client, caller, limit=500).get_json()
    peje = listed(client, caller, region="peje")
    assert {s["region"] for s in peje.get_json()} == {"peje"}
    assert codes(peje) == [s["code"] for s in everyone if s["region"] == "peje"]
    assert peje.headers["X-Total-Count"] == str(len(peje.get_json()))
    thb = listed(client, caller, kind="thb")
    assert codes(thb) == [s["code"] for s in everyone if s["kind"] == "thb"]
    both = listed(client, caller, region="peje", kind="thb")
    assert codes(both) == [s["code"] for s in everyone
                           if s["kind"] == "thb" and s["region"] == "peje"]
    assert both.headers["X-Total-Count"] == str(len(codes(both))) != "0"


def test_paging_and_filters_stay_inside_each_roles_scope(client, network, make_user):
    regional = make_user("regional_coordinator", region="peje")
    mine = listed(client, regional, limit=500)
    assert {s["region"] for s in mine.get_json()} == {"peje"}
    assert mine.headers["X-Total-Count"] == str(len(mine.get_json()))
    first = listed(client, regional, limit=1, offset=1)
    assert first.get_json() == mine.get_json()[1:2]
    assert first.headers["X-Total-Count"] == mine.headers["X-Total-Count"]
    elsewhere = listed(client, regional, region="gjilan")
    assert elsewhere.status_code == 200
    assert elsewhere.get_json() == [] and elsewhere.headers["X-Total-Count"] == "0"

    manager = make_user("shelter_manager", shelters=["dv-peje"])
    own = listed(client, manager, limit=500)
    assert codes(own) == ["dv-peje"] and own.headers["X-Total-Count"] == "1"
    assert listed(client, manager, kind="thb").headers["X-Total-Count"] == "0"


def test_the_admin_pages_through_the_shelters(client, network, make_user, monkeypatch):
    from placement.web.views import admin_shelters
    from tests.placement.web.pages import sign_in

    monkeypatch.setattr(admin_shelters, "PAGE_SIZE", 3)
    admin = make_user("admin")
    assert sign_in(client, admin.username).status_code == 302
    names = [s["name"] for s in listed(client, admin, limit=500).get_json()]
    first = client.get("/admin/shelters/").get_data(as_text=True)
    second = client.get("/admin/shelters/?page=2").get_data(as_text=True)
    assert all(name in first for name in names[:3])
    assert not any(name in first for name in names[3:6])
    assert all(name in second for name in names[3:6])
    assert "/admin/shelters/?page=3" in second and "/admin/shelters/?page=1" in second
    # A page number far past the last is an empty page, not a database error.
    assert client.get(f"/admin/shelters/?page={10**19}").status_code == 200
