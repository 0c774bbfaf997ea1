"""Concurrency: the last free bed goes to exactly one of twenty clients, on either database."""

import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from placement.extensions import db
from placement.models import Bed, Room
from placement.services import capacity
from tests.placement.workflow_helpers import open_request

CLIENTS = 20
WOMAN = [{"gender": "female", "age": 28, "role": "primary", "languages": ["sq"]}]


def _leave_one_free_bed(shelter_id):
    """Every bed of the shelter out of service but one in an adult room; returns that bed."""
    beds = list(db.session.scalars(
        sa.select(Bed).join(Room).where(Room.shelter_id == shelter_id).order_by(Room.kind, Bed.id)
    ))
    keep = next(b for b in beds if b.room.kind == "adult")
    for bed in beds:
        if bed.id != keep.id:
            capacity.set_bed_status(bed, "out_of_service", "race test", None)
    db.session.commit()
    return keep


def _counts(shelter_id):
    return capacity.shelter_totals(capacity.counts_by_room_kind([shelter_id])[shelter_id])


@pytest.mark.parametrize("round_", range(3))
def test_twenty_clients_race_for_the_last_bed(app, client, network, make_user, round_):
    # Twenty requests of one case manager: past the per-account quota, which is not tested here.
    app.config["QUOTA_OPEN_REQUESTS_PER_ACCOUNT"] = 0
    case_manager = make_user("case_manager")
    shelter_id = network["dv-prishtine"]
    requests = [open_request(client, case_manager, persons=WOMAN, suspects=[])[1]
                for _ in range(CLIENTS)]
    last_bed = _leave_one_free_bed(shelter_id)
    barrier = threading.Barrier(CLIENTS)
    statuses = [None] * CLIENTS

    def hold(index):
        local = app.test_client()
        barrier.wait()
        response = local.post(f"/api/v1/placement-requests/{requests[index]['id']}/holds",
                              json={"shelter_id": shelter_id}, headers=case_manager.headers)
        statuses[index] = response.status_code

    threads = [threading.Thread(target=hold, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [201] + [409] * (CLIENTS - 1), statuses
    db.session.expire_all()
    counts = _counts(shelter_id)
    assert (counts.available, counts.held, counts.occupied) == (0, 1, 0)
    assert db.session.get(Bed, last_bed.id).status == "held"


def _held_bed(client, network, make_user):
    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    response = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                           json={"shelter_id": network["dv-prishtine"]},
                           headers=case_manager.headers)
    assert response.status_code == 201
    hold_id = response.get_json()["id"]
    return db.session.scalar(sa.select(Bed).where(Bed.hold_id == hold_id)), hold_id


def test_direct_sql_cannot_give_a_held_bed_to_another_hold(client, network, make_user):
    bed, first_hold = _held_bed(client, network, make_user)
    _other_bed, second_hold = _held_bed(client, network, make_user)
    with pytest.raises(DBAPIError):
        db.session.execute(sa.text("UPDATE beds SET hold_id = :h WHERE id = :b"),
                           {"h": second_hold, "b": bed.id})
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Bed, bed.id).hold_id == first_hold


def test_direct_sql_cannot_hold_a_bed_without_a_hold(client, network, make_user):
    bed = db.session.scalar(sa.select(Bed).where(Bed.status == "available").limit(1))
    with pytest.raises(DBAPIError):
        db.session.execute(sa.text("UPDATE beds SET status = 'held' WHERE id = :b"), {"b": bed.id})
        db.session.flush()
    db.session.rollback()


def test_direct_sql_cannot_put_a_second_person_in_an_occupied_bed(client, network, make_user):
    bed = db.session.scalar(sa.select(Bed).join(Room).where(Room.kind == "adult").limit(1))
    capacity.admit_resident(bed, {"gender": "female", "age": 40, "group": "w1"}, "walk-in", None)
    db.session.commit()
    with pytest.raises(DBAPIError):
        db.session.execute(
            sa.text("UPDATE beds SET occupant_age = 22, occupant_group = 'w2' WHERE id = :b"),
            {"b": bed.id},
        )
    db.session.rollback()
