"""Exports: the occupancy CSV, and the HSDS 3 service_capacity feed with small numbers withheld."""

import csv
import io
import uuid

import sqlalchemy as sa

from placement.extensions import db
from placement.models import Room, Shelter
from placement.services import capacity, exports


def _csv(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="streha-occ')
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_occupancy_csv_has_a_row_for_the_network_each_region_and_each_shelter(
        client, network, make_user):
    caller = make_user("national_coordinator")
    rows = _csv(client.get("/api/v1/occupancy?format=csv", headers=caller.headers))
    view = client.get("/api/v1/occupancy", headers=caller.headers).get_json()
    assert [r["level"] for r in rows] == ["network"] + ["region"] * 5 + ["shelter"] * 8
    peje = next(r for r in rows if r["shelter_code"] == "dv-peje")
    shelter = next(s for s in view["shelters"] if s["code"] == "dv-peje")
    assert int(peje["available"]) == shelter["available"]
    assert int(peje["family_open_beds"]) == shelter["by_room_kind"]["family"][
        "open_to_new_requests"]["beds"]
    assert rows[0]["total"] == str(view["totals"]["total"])


def test_a_case_managers_csv_has_no_counts(client, network, make_user):
    rows = _csv(client.get("/api/v1/occupancy?format=csv",
                           headers=make_user("case_manager").headers))
    assert all(r["occupied"] == "" and r["total"] == "" for r in rows)
    assert all(r["available"] != "" for r in rows)


def test_a_formula_in_a_name_is_not_run_by_a_spreadsheet():
    text = exports.to_csv(["name"], [["=HYPERLINK(1)"], ["Shtëpia"]])
    assert text.splitlines()[1] == "'=HYPERLINK(1)"
    assert text.splitlines()[2] == "Shtëpia"


def _confirm_all():
    for shelter in db.session.scalars(sa.select(Shelter)):
        capacity.confirm(shelter)
    db.session.commit()


def test_the_hsds_feed_follows_service_capacity_and_withholds_small_numbers(
        client, network, make_user):
    _confirm_all()
    room = db.session.scalar(sa.select(Room).where(Room.shelter_id == network["dv-peje"],
                                                   Room.code == "A1"))
    # dv-peje: leave 3 of its 15 beds free, a small number.
    for bed in [b for r in db.session.get(Shelter, network["dv-peje"]).rooms
                for b in r.beds][:12]:
        group = "g" if bed.room_id == room.id else f"family-{bed.room_id}"
        capacity.admit_resident(bed, {"gender": "female", "age": 30, "group": group}, "in", None)
    db.session.commit()
    caller = make_user("national_coordinator")
    feed = client.get("/api/v1/occupancy/service-capacity", headers=caller.headers)
    assert feed.status_code == 200, feed.get_json()
    body = feed.get_json()
    assert body["suppressed"] == 1 and body["total_items"] == 7 and body["unconfirmed"] == 0
    for item in body["contents"]:
        assert {"id", "unit", "available", "updated"} <= set(item)  # HSDS 3 required
        uuid.UUID(item["id"])
        assert item["unit"]["name"] == "Bed"
        assert item["available"] == 0 or item["available"] >= 5
        assert item["maximum"] >= item["available"]
        assert item["updated"].endswith("Z")
        assert set(item) <= {"id", "service_id", "unit", "unit_id", "available", "maximum",
                             "description", "updated"}
    # Nothing in it names a shelter.
    text = feed.get_data(as_text=True)
    assert "dv-" not in text and "Shtëpia" not in text


def test_the_hsds_feed_is_for_coordinators_and_the_administrator(client, network, make_user):
    url = "/api/v1/occupancy/service-capacity"
    for role, status in (("case_manager", 403), ("shelter_manager", 403),
                         ("regional_coordinator", 200), ("admin", 200)):
        caller = make_user(role, shelters=["dv-peje"], region="peje")
        assert client.get(url, headers=caller.headers).status_code == status, role
    regional = make_user("regional_coordinator", region="peje")
    assert client.get(url + "?region=gjilan", headers=regional.headers).status_code == 404
    assert client.get(url, headers=regional.headers).get_json()["unconfirmed"] == 2
