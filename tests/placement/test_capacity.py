"""Capacity as a manager keeps it: beds out of service and back, residents, rooms, freshness."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from placement import clock
from placement.extensions import db
from placement.models import Bed, BedEvent, Room, Shelter, User
from placement.services import accounts, capacity
from tests.placement.workflow_helpers import hold_bed

SHELTER = "dv-peje"  # rooms A1 (adult female, 4), A2 (adult female, 3), F1 and F2 (family, 4 each)
API = "/api/v1"


@pytest.fixture
def manager(network, make_user):
    return make_user("shelter_manager", shelters=[SHELTER])


@pytest.fixture
def shelter_id(network):
    return network[SHELTER]


def rooms(client, manager, shelter_id):
    response = client.get(f"{API}/shelters/{shelter_id}/rooms", headers=manager.headers)
    assert response.status_code == 200
    return {room["code"]: room for room in response.get_json()}


def bed_in(client, manager, shelter_id, room, index=0):
    return rooms(client, manager, shelter_id)[room]["beds"][index]["id"]


def counts(client, manager, shelter_id):
    view = client.get(f"{API}/shelters/{shelter_id}", headers=manager.headers).get_json()
    return view["counts"]


def patch_bed(client, manager, bed_id, status, reason="broken frame"):
    return client.patch(
        f"{API}/beds/{bed_id}", json={"status": status, "reason": reason}, headers=manager.headers
    )


def admit(client, manager, bed_id, gender="female", age=30, group="walk-in-1"):
    return client.post(
        f"{API}/beds/{bed_id}/resident",
        json={"gender": gender, "age": age, "group": group},
        headers=manager.headers,
    )


def hold(bed_id):
    """A hold as the placement workflow takes it: a Hold row and the guarded move."""
    hold_bed(db.session.get(Bed, bed_id))
    db.session.commit()


def test_a_bed_goes_out_of_service_and_back_with_reasons(client, manager, shelter_id):
    bed_id = bed_in(client, manager, shelter_id, "A1")
    before = counts(client, manager, shelter_id)

    out = patch_bed(client, manager, bed_id, "out_of_service", "mould on the wall")
    assert out.status_code == 200
    assert out.get_json()["status"] == "out_of_service"
    assert out.get_json()["status_reason"] == "mould on the wall"
    during = counts(client, manager, shelter_id)
    assert during["out_of_service"] == before["out_of_service"] + 1
    assert during["available"] == before["available"] - 1
    assert during["total"] == before["total"]

    back = patch_bed(client, manager, bed_id, "available", "repainted")
    assert back.status_code == 200 and back.get_json()["status"] == "available"
    assert counts(client, manager, shelter_id) == before

    events = db.session.scalars(
        sa.select(BedEvent).where(BedEvent.bed_id == bed_id).order_by(BedEvent.id)
    ).all()
    assert [(e.from_status, e.to_status, e.reason) for e in events[-2:]] == [
        ("available", "out_of_service", "mould on the wall"),
        ("out_of_service", "available", "repainted"),
    ]
    assert events[-1].actor_id == manager.user_id


@pytest.mark.parametrize("status", ["occupied", "held"])
@pytest.mark.parametrize("target", ["out_of_service", "available"])
def test_an_occupied_or_held_bed_refuses_a_status_change(
    client, manager, shelter_id, status, target
):
    bed_id = bed_in(client, manager, shelter_id, "A1")
    if status == "occupied":
        assert admit(client, manager, bed_id).status_code == 201
    else:
        hold(bed_id)
    response = patch_bed(client, manager, bed_id, target)
    assert response.status_code == 409
    assert status in response.get_json()["message"]
    db.session.expire_all()
    assert db.session.get(Bed, bed_id).status == status


@pytest.mark.parametrize(
    "body, field",
    [
        ({"status": "out_of_service"}, "reason"),
        ({"status": "occupied", "reason": "x"}, "status"),
        ({"status": "available", "reason": ""}, "reason"),
        ({"status": "available", "reason": "x" * 201}, "reason"),
        ({"status": "available", "reason": "x", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_bed_change_names_the_field(client, manager, shelter_id, body, field):
    bed_id = bed_in(client, manager, shelter_id, "A1")
    response = client.patch(f"{API}/beds/{bed_id}", json=body, headers=manager.headers)
    assert response.status_code == 422
    assert field in response.get_json()["message"]


def test_a_resident_from_outside_arrives_and_leaves(client, manager, shelter_id):
    bed_id = bed_in(client, manager, shelter_id, "F1")
    before = counts(client, manager, shelter_id)

    arrived = admit(client, manager, bed_id, gender="male", age=9, group="family-7")
    assert arrived.status_code == 201
    assert arrived.get_json()["occupant"] == {"gender": "male", "age": 9, "group": "family-7"}
    assert counts(client, manager, shelter_id)["occupied"] == before["occupied"] + 1
    assert admit(client, manager, bed_id).status_code == 409

    left = client.post(
        f"{API}/beds/{bed_id}/departure", json={"reason": "went home"}, headers=manager.headers
    )
    assert left.status_code == 200
    assert left.get_json()["status"] == "available" and left.get_json()["occupant"] is None
    assert counts(client, manager, shelter_id) == before
    again = client.post(
        f"{API}/beds/{bed_id}/departure", json={"reason": "twice"}, headers=manager.headers
    )
    assert again.status_code == 409


def test_a_resident_carries_a_profile_never_an_identity(client, manager, shelter_id):
    bed_id = bed_in(client, manager, shelter_id, "A1")
    response = client.post(
        f"{API}/beds/{bed_id}/resident",
        json={"gender": "female", "age": 30, "group": "g", "name": "Arta"},
        headers=manager.headers,
    )
    assert response.status_code == 422
    assert "name" in response.get_json()["message"]


def test_an_out_of_service_bed_takes_no_resident(client, manager, shelter_id):
    bed_id = bed_in(client, manager, shelter_id, "A1")
    patch_bed(client, manager, bed_id, "out_of_service")
    assert admit(client, manager, bed_id).status_code == 409


def _add_room(client, manager, shelter_id, code, kind, gender, beds=2):
    response = client.post(
        f"{API}/shelters/{shelter_id}/rooms",
        json={"code": code, "kind": kind, "gender": gender, "beds": beds},
        headers=manager.headers,
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.mark.parametrize(
    "kind, gender, person, allowed",
    [
        ("adult", "female", ("female", 30), True),
        ("adult", "female", ("male", 30), False),
        ("adult", "female", ("female", 16), False),
        ("minor", "any", ("male", 15), True),
        ("minor", "any", ("female", 18), False),
        ("family", "any", ("male", 40), True),
        ("family", "any", ("female", 2), True),
        ("adult", "male", ("male", 18), True),
    ],
)
def test_room_kind_and_gender_decide_who_may_stay(
    client, manager, shelter_id, kind, gender, person, allowed
):
    room = _add_room(client, manager, shelter_id, "R1", kind, gender)
    response = admit(client, manager, room["beds"][0]["id"], *person)
    assert response.status_code == (201 if allowed else 422), response.get_json()


def test_an_any_gender_adult_room_keeps_to_one_gender_but_a_family_room_mixes(
    client, manager, shelter_id
):
    adult = _add_room(client, manager, shelter_id, "R1", "adult", "any")
    assert admit(client, manager, adult["beds"][0]["id"], "female").status_code == 201
    mixed = admit(client, manager, adult["beds"][1]["id"], "male")
    assert mixed.status_code == 422
    assert "another gender" in mixed.get_json()["message"]
    family = rooms(client, manager, shelter_id)["F1"]["beds"]
    assert admit(client, manager, family[0]["id"], "female", 35).status_code == 201
    assert admit(client, manager, family[1]["id"], "male", 12).status_code == 201


def test_rooms_and_beds_are_added_and_removed(client, manager, shelter_id):
    before = counts(client, manager, shelter_id)
    room = _add_room(client, manager, shelter_id, "B7", "adult", "female", beds=3)
    assert [bed["status"] for bed in room["beds"]] == ["available"] * 3
    added = client.post(
        f"{API}/rooms/{room['id']}/beds", json={"count": 2}, headers=manager.headers
    )
    assert added.status_code == 201 and len(added.get_json()) == 2
    assert counts(client, manager, shelter_id)["total"] == before["total"] + 5

    bed_id = room["beds"][0]["id"]
    assert client.delete(f"{API}/beds/{bed_id}", headers=manager.headers).status_code == 204
    assert patch_bed(client, manager, bed_id, "out_of_service").status_code == 404
    assert counts(client, manager, shelter_id)["total"] == before["total"] + 4

    assert client.delete(f"{API}/rooms/{room['id']}", headers=manager.headers).status_code == 204
    assert "B7" not in rooms(client, manager, shelter_id)
    assert counts(client, manager, shelter_id) == before
    # The code is free again, and removed beds keep their history.
    _add_room(client, manager, shelter_id, "B7", "adult", "female", beds=1)
    assert db.session.scalar(sa.select(sa.func.count()).where(BedEvent.bed_id == bed_id)) == 2


def test_a_duplicate_room_code_is_refused(client, manager, shelter_id):
    response = client.post(
        f"{API}/shelters/{shelter_id}/rooms",
        json={"code": "A1", "kind": "adult", "gender": "female", "beds": 1},
        headers=manager.headers,
    )
    assert response.status_code == 409
    assert "A1" in response.get_json()["message"]


@pytest.mark.parametrize("status", ["occupied", "held"])
def test_a_busy_bed_or_its_room_cannot_be_removed(client, manager, shelter_id, status):
    room = rooms(client, manager, shelter_id)["A2"]
    bed_id = room["beds"][1]["id"]
    if status == "occupied":
        admit(client, manager, bed_id)
    else:
        hold(bed_id)
    before = counts(client, manager, shelter_id)

    refused_bed = client.delete(f"{API}/beds/{bed_id}", headers=manager.headers)
    refused_room = client.delete(f"{API}/rooms/{room['id']}", headers=manager.headers)

    assert refused_bed.status_code == 409 and refused_room.status_code == 409
    assert "occupied or held" in refused_room.get_json()["message"]
    assert counts(client, manager, shelter_id) == before
    assert [b["status"] for b in rooms(client, manager, shelter_id)["A2"]["beds"]].count(
        status
    ) == 1


@pytest.mark.parametrize(
    "elapsed, expected",
    [
        (timedelta(0), "fresh"),
        (timedelta(hours=1, minutes=59), "fresh"),
        (timedelta(hours=2, minutes=1), "aging"),
        (timedelta(hours=7, minutes=59), "aging"),
        (timedelta(hours=8, minutes=1), "stale"),
        (timedelta(days=3), "stale"),
    ],
)
def test_freshness_follows_the_last_confirmation(client, manager, shelter_id, elapsed, expected):
    confirmed = client.post(f"{API}/shelters/{shelter_id}/confirm", headers=manager.headers)
    assert confirmed.status_code == 200 and confirmed.get_json()["freshness"] == "fresh"
    clock.set_offset(elapsed)
    later = make_token_for(manager)
    view = client.get(f"{API}/shelters/{shelter_id}", headers=later).get_json()
    assert view["freshness"] == expected


def make_token_for(caller):
    """A fresh token for the same account: a day later, the morning's token has expired."""
    token, _row = accounts.issue_token(db.session.get(User, caller.user_id))
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def test_a_bed_change_counts_as_a_confirmation(client, manager, shelter_id):
    bed_id = bed_in(client, manager, shelter_id, "A1")
    client.post(f"{API}/shelters/{shelter_id}/confirm", headers=manager.headers)
    clock.set_offset(timedelta(hours=9))
    headers = make_token_for(manager)
    assert (
        client.get(f"{API}/shelters/{shelter_id}", headers=headers).get_json()["freshness"]
        == "stale"
    )
    client.patch(
        f"{API}/beds/{bed_id}", json={"status": "out_of_service", "reason": "x"}, headers=headers
    )
    assert (
        client.get(f"{API}/shelters/{shelter_id}", headers=headers).get_json()["freshness"]
        == "fresh"
    )


def test_counts_are_derived_from_the_bed_rows(client, manager, shelter_id):
    room_ids = sa.select(Room.id).join(Shelter).where(Shelter.code == SHELTER)
    db.session.execute(
        sa.update(Bed)
        .where(Bed.room_id.in_(room_ids), Bed.code.in_(["A1-1", "F1-2"]))
        .values(status="out_of_service")
    )
    db.session.commit()
    view = counts(client, manager, shelter_id)
    assert view["out_of_service"] == 2
    assert view["available"] == view["total"] - 2
    assert view["in_service"] == view["total"] - 2


def test_a_managers_room_change_counts_as_confirmation(client, manager, shelter_id):
    def freshness():
        return client.get(f"{API}/shelters/{shelter_id}", headers=manager.headers).get_json()[
            "freshness"]

    assert freshness() == "stale"  # loaded from the network file, never confirmed
    _add_room(client, manager, shelter_id, "Z9", "adult", "female")
    assert freshness() == "fresh"


def test_moving_more_beds_adds_only_their_guarded_updates(app, network, shelter_id):
    """Each bed moved is one guarded UPDATE; its history row is written with the others' in one
    INSERT, and no bed is read back one by one (a hold of a family room took 6 statements more
    for 3 beds than for 1)."""
    room = db.session.scalar(sa.select(Room.id).where(Room.shelter_id == shelter_id,
                                                      Room.code == "F1"))
    beds = list(db.session.scalars(sa.select(Bed.id).where(Bed.room_id == room,
                                                           Bed.status == "available")))
    assert len(beds) >= 4
    db.session.commit()
    db.session.expunge_all()  # nothing loaded already: what a request starts with

    def statements(bed_ids):
        seen = []

        def count(_connection, _cursor, statement, *_args):
            if not statement.startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
                seen.append(statement.split()[0])

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            capacity.move_beds(bed_ids, ("available",), "out_of_service", "repairs", None)
            db.session.flush()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return seen

    one, three = statements(beds[:1]), statements(beds[1:4])
    assert len(three) - len(one) == 2 and three.count("UPDATE") - one.count("UPDATE") == 2
    moved = db.session.scalars(sa.select(BedEvent.bed_id).where(
        BedEvent.bed_id.in_(beds[:4]), BedEvent.to_status == "out_of_service"))
    assert sorted(moved) == sorted(beds[:4])
    db.session.rollback()


def test_moving_no_bed_changes_nothing_and_fails_nothing(app, network, shelter_id):
    """A placement that holds no bed (left by an earlier fault) can still be discharged: moving
    no bed writes no history row (an INSERT of no rows would insert an empty one, and fail)."""
    before = db.session.scalar(sa.select(sa.func.count(BedEvent.id)))
    capacity.move_beds([], ("occupied",), "available", "discharged", None)
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count(BedEvent.id))) == before
    db.session.rollback()
