"""Hourly snapshots (idempotent, retained for a set time) and GET /occupancy/history."""

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from placement import clock, jobs
from placement.extensions import db
from placement.models import OccupancySnapshot, Room
from placement.services import capacity
from tests.placement.workflow_helpers import refreshed

URL = "/api/v1/occupancy/history"


def snapshots():
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(OccupancySnapshot))


def at(moment):
    """Move the clock so that now is `moment`."""
    clock.set_offset(None)
    clock.set_offset(moment - clock.now())


def occupy(shelter_id, count):
    room = db.session.scalar(sa.select(Room).where(Room.shelter_id == shelter_id,
                                                   Room.code == "A1"))
    for bed in [b for b in room.beds if b.status == "available"][:count]:
        capacity.admit_resident(bed, {"gender": "female", "age": 30, "group": "g"}, "in", None)
    db.session.commit()


def test_the_job_twice_in_one_hour_writes_one_row_per_shelter(app, network):
    at(datetime(2026, 3, 2, 10, 5))
    assert jobs.run("snapshot_occupancy").summary == f"snapshots {len(network)}"
    at(datetime(2026, 3, 2, 10, 55))
    assert jobs.run("snapshot_occupancy").summary == "snapshots 0"
    assert snapshots() == len(network)
    at(datetime(2026, 3, 2, 11, 0))
    assert jobs.run("snapshot_occupancy").outcome == "ok"
    assert snapshots() == 2 * len(network)
    hours = set(db.session.scalars(sa.select(OccupancySnapshot.hour)))
    assert hours == {datetime(2026, 3, 2, 10), datetime(2026, 3, 2, 11)}


def test_the_database_refuses_a_second_row_for_a_shelter_and_hour(app, network):
    at(datetime(2026, 3, 2, 10, 5))
    jobs.run("snapshot_occupancy")
    first = db.session.scalar(sa.select(OccupancySnapshot).limit(1))
    db.session.add(OccupancySnapshot(shelter_id=first.shelter_id, region_code=first.region_code,
                                     hour=first.hour, taken_at=first.taken_at, total=1,
                                     occupied=0, held=0, out_of_service=0))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_snapshots_past_the_retention_are_purged(app, network):
    app.config["OCCUPANCY_SNAPSHOT_RETENTION"] = timedelta(days=10)
    at(datetime(2026, 3, 1, 10, 5))
    jobs.run("snapshot_occupancy")
    at(datetime(2026, 3, 8, 10, 5))
    jobs.run("snapshot_occupancy")
    at(datetime(2026, 3, 12, 10, 5))
    assert jobs.run("purge_occupancy_snapshots").summary == f"snapshots {len(network)}"
    assert snapshots() == len(network)


def test_the_retention_comes_from_the_environment(monkeypatch, tmp_path):
    from placement.config import UnsafeConfiguration, build_config

    monkeypatch.setenv("OCCUPANCY_SNAPSHOT_RETENTION_DAYS", "90")
    assert build_config(tmp_path)["OCCUPANCY_SNAPSHOT_RETENTION"] == timedelta(days=90)
    monkeypatch.setenv("OCCUPANCY_SNAPSHOT_RETENTION_DAYS", "0")
    with pytest.raises(UnsafeConfiguration):
        build_config(tmp_path)


@pytest.fixture
def two_days(app, network):
    """Snapshots at 10:00 and 11:00 on two days; two more beds occupied in dv-peje from the
    second hour of each day."""
    for day in (2, 3):
        at(datetime(2026, 3, day, 10, 1))
        jobs.run("snapshot_occupancy")
        occupy(network["dv-peje"], 2)
        at(datetime(2026, 3, day, 11, 1))
        jobs.run("snapshot_occupancy")
    return network


def fetch(client, caller, **params):
    return client.get(URL, query_string=params, headers=refreshed(caller).headers)


def test_hourly_history_sums_the_shelters_in_scope(client, two_days, make_user):
    caller = make_user("regional_coordinator", region="peje")
    response = fetch(client, caller, **{"from": "2026-03-02", "to": "2026-03-04"})
    assert response.status_code == 200, response.get_json()
    points = response.get_json()["points"]
    assert [p["at"][:16] for p in points] == ["2026-03-02T10:00", "2026-03-02T11:00",
                                              "2026-03-03T10:00", "2026-03-03T11:00"]
    assert [p["occupied"] for p in points] == [0, 2, 2, 4]
    assert {p["shelters"] for p in points} == {2}  # dv-peje and thb-rruga
    total = points[0]["in_service"]
    assert points[1]["occupancy_rate"] == round(2 / total, 4)
    assert points[1]["available"] == total - 2 and points[1]["held"] == 0


def test_daily_history_averages_each_days_hours(client, two_days, make_user):
    caller = make_user("national_coordinator")
    body = fetch(client, caller, **{"from": "2026-03-02", "to": "2026-03-04",
                                    "granularity": "day", "shelter": two_days["dv-peje"]}
                 ).get_json()
    assert [p["at"][:10] for p in body["points"]] == ["2026-03-02", "2026-03-03"]
    assert [p["occupied"] for p in body["points"]] == [1.0, 3.0]
    assert [p["peak_occupied"] for p in body["points"]] == [2, 4]
    assert [p["hours"] for p in body["points"]] == [2, 2]
    assert body["points"][0]["occupancy_rate"] == round(1 / 15, 4)


def test_a_shelter_manager_reads_their_own_shelter_only(client, two_days, make_user):
    caller = make_user("shelter_manager", shelters=["dv-peje"])
    body = fetch(client, caller, **{"from": "2026-03-02", "to": "2026-03-04"}).get_json()
    assert {p["shelters"] for p in body["points"]} == {1}
    other = fetch(client, caller, **{"from": "2026-03-02", "to": "2026-03-04",
                                     "shelter": two_days["dv-gjilan"]})
    assert other.status_code == 404


def test_history_scopes_and_roles(client, two_days, make_user):
    regional = make_user("regional_coordinator", region="peje")
    period = {"from": "2026-03-02", "to": "2026-03-04"}
    assert fetch(client, regional, region="gjilan", **period).status_code == 404
    assert fetch(client, regional, shelter=two_days["dv-gjilan"], **period).status_code == 404
    assert fetch(client, make_user("case_manager"), **period).status_code == 403
    national = fetch(client, make_user("national_coordinator"), region="gjilan", **period)
    assert {p["shelters"] for p in national.get_json()["points"]} == {1}


@pytest.mark.parametrize("params, field", [
    ({"from": "2026-02-30"}, "from"),
    ({"from": "yesterday"}, "from"),
    ({"to": "2026-03-01T25:00"}, "to"),
    ({"from": "2026-03-04", "to": "2026-03-02"}, "from"),
    ({"from": "2026-01-01", "to": "2026-03-01"}, "to"),
    ({"from": "2025-01-01", "to": "2026-03-01", "granularity": "day"}, "to"),
    ({"granularity": "week"}, "granularity"),
    ({"shelter": "0"}, "shelter"),
])
def test_bad_periods_are_refused_naming_the_field(client, network, make_user, params, field):
    response = fetch(client, make_user("national_coordinator"), **params)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["message"]


def test_a_long_period_is_allowed_by_day(client, network, make_user):
    params = {"from": "2025-03-02", "to": "2026-03-01", "granularity": "day"}
    assert fetch(client, make_user("national_coordinator"), **params).status_code == 200


def test_history_as_csv(client, two_days, make_user):
    response = fetch(client, make_user("national_coordinator"), format="csv",
                     **{"from": "2026-03-02T00:00:00Z", "to": "2026-03-04"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="streha-')
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("at,shelters,total,in_service,occupied,held")
    assert len(lines) == 5
