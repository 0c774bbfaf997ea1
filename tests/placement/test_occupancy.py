"""GET /occupancy: counts by region and shelter, places open to new requests, scopes, standard."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from placement import clock
from placement.extensions import db
from placement.models import Municipality, Room, Shelter
from placement.services import capacity
from tests.placement.conftest import remember_coordinate
from tests.placement.workflow_helpers import refreshed

URL = "/api/v1/occupancy"


def room(shelter_id, code):
    return db.session.scalar(sa.select(Room).where(Room.shelter_id == shelter_id,
                                                   Room.code == code))


def admit(shelter_id, code, count, group):
    beds = [b for b in room(shelter_id, code).beds if b.status == "available"][:count]
    for bed in beds:
        capacity.admit_resident(bed, {"gender": "female", "age": 30, "group": group}, "in", None)
    db.session.commit()


def get(client, caller, **params):
    response = client.get(URL, query_string=params, headers=caller.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def shelter(view, code):
    return next(s for s in view["shelters"] if s["code"] == code)


def test_a_family_room_with_one_family_has_free_beds_but_takes_nobody_new(
        client, network, make_user):
    admit(network["dv-peje"], "F1", 1, "family-a")
    view = get(client, make_user("national_coordinator"))
    family = shelter(view, "dv-peje")["by_room_kind"]["family"]
    # F1 (4 beds, one occupied) and F2 (4 beds, empty).
    assert family["available"] == 7
    assert family["open_to_new_requests"] == {"beds": 4, "rooms": 1}
    adult = shelter(view, "dv-peje")["by_room_kind"]["adult"]
    assert adult["available"] == adult["open_to_new_requests"]["beds"] == 7
    assert adult["open_to_new_requests"]["rooms"] == 2
    peje = next(r for r in view["regions"] if r["code"] == "peje")
    assert peje["occupied"] == 1 and peje["shelters"] == 2


def test_a_held_bed_closes_a_family_room_and_counts_as_held(client, network, make_user):
    from tests.placement.workflow_helpers import hold_bed

    hold_bed(room(network["dv-gjilan"], "F2").beds[0])
    db.session.commit()
    view = get(client, make_user("national_coordinator"))
    gjilan = shelter(view, "dv-gjilan")
    assert gjilan["held"] == 1 and gjilan["available"] == 14
    assert gjilan["by_room_kind"]["family"]["open_to_new_requests"] == {"beds": 4, "rooms": 1}
    assert view["totals"]["held"] == 1


def test_counts_agree_with_the_shelter_list(client, network, make_user):
    caller = make_user("national_coordinator")
    admit(network["dv-prizren"], "A1", 2, "g")
    listed = client.get("/api/v1/shelters", headers=caller.headers).get_json()
    view = get(client, caller)
    for item in listed:
        mine = shelter(view, item["code"])
        for name, value in item["counts"].items():
            assert mine[name] == value, (item["code"], name)
    assert view["totals"]["total"] == sum(s["counts"]["total"] for s in listed)
    assert len(view["regions"]) == 5


def test_a_regional_coordinator_sees_only_their_region(client, network, make_user):
    caller = make_user("regional_coordinator", region="peje")
    view = get(client, caller)
    assert {s["code"] for s in view["shelters"]} == {"dv-peje", "thb-rruga"}
    assert [r["code"] for r in view["regions"]] == ["peje"]
    assert view["totals"]["shelters"] == 2
    other = client.get(URL, query_string={"region": "gjilan"}, headers=caller.headers)
    assert other.status_code == 404
    assert "region" in other.get_json()["message"]


def test_an_unknown_region_reads_as_absent_and_a_bad_parameter_is_refused(
        client, network, make_user):
    caller = make_user("national_coordinator")
    assert client.get(URL, query_string={"region": "atlantis"},
                      headers=caller.headers).status_code == 404
    bad = client.get(URL, query_string={"colour": "red"}, headers=caller.headers)
    assert bad.status_code == 422 and "colour" in bad.get_json()["message"]
    assert get(client, caller, region="prizren")["totals"]["shelters"] == 1


def test_a_shelter_manager_sees_their_shelters_only(client, network, make_user):
    view = get(client, make_user("shelter_manager", shelters=["dv-peje"]))
    assert [s["code"] for s in view["shelters"]] == ["dv-peje"]
    assert [r["code"] for r in view["regions"]] == ["peje"]
    assert "places_per_10000" not in view["regions"][0]


def test_a_case_manager_sees_free_beds_and_freshness_but_no_counts(client, network, make_user):
    admit(network["dv-peje"], "F1", 1, "family-a")
    view = get(client, make_user("case_manager"))
    peje = shelter(view, "dv-peje")
    assert len(view["shelters"]) == 8
    assert peje["available"] == 14 and "freshness" in peje
    for hidden in ("total", "occupied", "held", "out_of_service", "confirmed_at"):
        assert hidden not in peje and hidden not in view["totals"]
    assert peje["by_room_kind"]["family"] == {"available": 7,
                                              "open_to_new_requests": {"beds": 4, "rooms": 1}}


def test_stale_shelters_are_named_and_counted(client, network, make_user):
    caller = make_user("national_coordinator")
    view = get(client, caller)
    assert view["stale"]["count"] == 8  # a loaded network was never confirmed
    capacity.confirm(db.session.get(Shelter, network["dv-peje"]))
    db.session.commit()
    view = get(client, caller)
    assert view["stale"]["count"] == 7
    assert "dv-peje" not in {s["name"] for s in view["stale"]["shelters"]}
    assert shelter(view, "dv-peje")["freshness"] == "fresh"
    clock.set_offset(timedelta(hours=3))
    view = get(client, refreshed(caller))
    assert shelter(view, "dv-peje")["freshness"] == "aging"
    assert view["totals"]["freshness"] == {"fresh": 0, "aging": 1, "stale": 7}


@pytest.mark.parametrize(("age", "expected"), [
    (timedelta(hours=2) - timedelta(microseconds=1), "fresh"),
    (timedelta(hours=2), "aging"),
    (timedelta(hours=8), "aging"),
    (timedelta(hours=8, microseconds=1), "stale"),
])
def test_freshness_at_its_edges_is_the_same_in_every_count_and_on_the_shelter(
        client, network, make_user, monkeypatch, age, expected):
    # The database counts and lists shelters by freshness; the shelter's own answer applies
    # the rule in Python. At the microsecond either side of 2 h and 8 h they must agree.
    moment = clock.now()
    monkeypatch.setattr(clock, "now", lambda: moment)
    db.session.execute(sa.update(Shelter).where(Shelter.id == network["dv-peje"])
                       .values(confirmed_at=moment - age))
    db.session.commit()
    caller = make_user("national_coordinator")
    view = get(client, caller, limit=1)
    own = client.get(f"/api/v1/shelters/{network['dv-peje']}", headers=caller.headers)
    assert own.get_json()["freshness"] == expected
    # The seven other shelters were never confirmed: stale.
    assert view["totals"]["freshness"][expected] == (8 if expected == "stale" else 1)
    peje = next(r for r in view["regions"] if r["code"] == "peje")
    assert peje["freshness"][expected] == (2 if expected == "stale" else 1)
    listed = {s["id"] for s in view["stale"]["shelters"]}
    assert (network["dv-peje"] in listed) == (expected == "stale")
    everyone = get(client, caller, limit=500)["shelters"]
    assert shelter({"shelters": everyone}, "dv-peje")["freshness"] == expected


def test_places_per_10000_need_every_municipality_of_a_region(client, network, make_user):
    caller = make_user("national_coordinator")
    view = get(client, caller)
    assert all(r["places_per_10000"] is None for r in view["regions"])
    assert view["standard"]["places_per_10000"] == 1
    assert "Council of Europe" in view["standard"]["source"]
    towns = list(db.session.scalars(sa.select(Municipality).where(
        Municipality.region_code == "peje")))
    for town in towns[:-1]:
        town.population = 20_000
    db.session.commit()
    assert next(r for r in get(client, caller)["regions"]
                if r["code"] == "peje")["places_per_10000"] is None
    towns[-1].population = 40_000
    db.session.commit()
    peje = next(r for r in get(client, caller)["regions"] if r["code"] == "peje")
    population = 20_000 * (len(towns) - 1) + 40_000
    assert peje["population"] == population
    assert peje["places_per_10000"] == round(peje["in_service"] * 10_000 / population, 2)
    assert peje["meets_standard"] is (peje["places_per_10000"] >= 1)


def test_the_number_of_queries_does_not_grow_with_the_network(client, network, make_user):
    from placement.models import User
    from placement.services import occupancy

    caller = make_user("national_coordinator")
    statements = []

    def count(*_args):
        statements.append(1)

    def measure():
        user = db.session.get(User, caller.user_id)
        statements.clear()
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            view = occupancy.occupancy(user)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements), len(view["shelters"])

    before = measure()
    admin = make_user("admin")
    remember_coordinate(42.321234)
    remember_coordinate(21.351234)
    for number in range(3):
        body = {"id": f"dv-extra-{number}", "name": f"Extra {number}", "kind": "dv",
                "region": "gjilan", "municipality": "viti", "lat": 42.321234, "lon": 21.351234,
                "gender_policy": "women",
                "rooms": [{"id": "A1", "kind": "adult", "gender": "female", "beds": 2},
                          {"id": "F1", "kind": "family", "gender": "any", "beds": 3}]}
        created = client.post("/api/v1/shelters", json=body, headers=admin.headers)
        assert created.status_code == 201
    after = measure()
    assert after == (before[0], before[1] + 3)


@pytest.mark.parametrize("role", ["case_manager", "shelter_manager", "regional_coordinator",
                                  "national_coordinator", "admin"])
def test_no_role_sees_a_position(client, network, make_user, role):
    body = client.get(URL, headers=make_user(role, shelters=["dv-peje"]).headers).get_data(
        as_text=True)
    assert '"lat"' not in body and '"lon"' not in body and "position" not in body


def test_the_network_file_may_carry_population_per_municipality(app, network):
    from placement.services.network import default_network, load_network
    from placement.services.network_file import NetworkError

    document = default_network()
    document["municipalities"][0]["population"] = 227_154
    load_network(document)
    db.session.commit()
    first = document["municipalities"][0]["code"]
    assert db.session.get(Municipality, first).population == 227_154
    document["municipalities"][1]["population"] = -3
    with pytest.raises(NetworkError, match=r"municipalities\[1\]\.population"):
        load_network(document)
