"""Free text is sealed at rest; shelter managers see only what concerns their shelter."""

from datetime import timedelta

import sqlalchemy as sa

from placement import clock
from placement.extensions import db
from tests.placement.workflow_helpers import open_request, refreshed

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]


def _hold(client, caller, request_id, shelter_id):
    return client.post(f"/api/v1/placement-requests/{request_id}/holds",
                       json={"shelter_id": shelter_id}, headers=caller.headers)


def test_decline_notes_and_justifications_are_sealed_at_rest(client, network, make_user):
    case_manager = make_user("case_manager")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    coordinator = make_user("national_coordinator")
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    client.post(f"/api/v1/placement-requests/{request['id']}/override",
                json={"rules": ["H8"], "justification": "ramp being fitted this week"},
                headers=coordinator.headers)
    hold = _hold(client, case_manager, request["id"], network["dv-prishtine"]).get_json()
    declined = client.post(f"/api/v1/holds/{hold['id']}/decline",
                           json={"reason": "other", "note": "resident knows the family"},
                           headers=manager.headers).get_json()
    assert declined["decline_note"] == "resident knows the family"
    assert declined["override"]["justification"] == "ramp being fitted this week"
    stored = " ".join(str(v) for v in db.session.execute(sa.text(
        "SELECT h.decline_note_sealed, r.override_justification_sealed FROM holds h"
        " JOIN placement_requests r ON r.id = h.request_id")).one())
    assert "resident" not in stored and "ramp" not in stored


def test_a_shelter_manager_sees_only_their_part_of_a_request(client, network, make_user):
    case_manager = make_user("case_manager")
    here = make_user("shelter_manager", shelters=["dv-prishtine"])
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    _hold(client, case_manager, request["id"], network["dv-prishtine"])
    _hold(client, case_manager, request["id"], network["dv-gjilan"])
    seen = client.get(f"/api/v1/placement-requests/{request['id']}", headers=here.headers)
    body = seen.get_json()
    assert "case_code" not in body
    assert [h["shelter_id"] for h in body["holds"]] == [network["dv-prishtine"]]
    owner = client.get(f"/api/v1/placement-requests/{request['id']}",
                       headers=case_manager.headers).get_json()
    assert owner["case_code"].startswith("K-") and len(owner["holds"]) == 2


def test_a_hold_past_its_time_no_longer_counts_against_the_limit(app, client, network,
                                                                 make_user):
    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    _hold(client, case_manager, request["id"], network["dv-prishtine"])
    _hold(client, case_manager, request["id"], network["dv-gjilan"])
    assert _hold(client, case_manager, request["id"], network["dv-prizren"]).status_code == 409
    clock.set_offset(app.config["HOLD_TTL"] + timedelta(seconds=1))
    case_manager = refreshed(case_manager)
    third = _hold(client, case_manager, request["id"], network["dv-prizren"])
    assert third.status_code == 201, third.get_json()


def test_a_shelter_that_declined_does_not_follow_the_person(client, network, make_user):
    case_manager = make_user("case_manager")
    declined_here = make_user("shelter_manager", shelters=["dv-prishtine"])
    accepted_there = make_user("shelter_manager", shelters=["dv-gjilan"])
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    first = _hold(client, case_manager, request["id"], network["dv-prishtine"]).get_json()
    client.post(f"/api/v1/holds/{first['id']}/decline", json={"reason": "no_capacity"},
                headers=declined_here.headers)
    second = _hold(client, case_manager, request["id"], network["dv-gjilan"]).get_json()
    client.post(f"/api/v1/holds/{second['id']}/accept", headers=accepted_there.headers)
    for path in (f"/api/v1/placement-requests/{request['id']}",
                 f"/api/v1/placement-requests/{request['id']}/events"):
        assert client.get(path, headers=declined_here.headers).status_code in (403, 404), path
    listed = client.get("/api/v1/placement-requests", headers=declined_here.headers).get_json()
    assert listed == []
    assert client.get(f"/api/v1/placement-requests/{request['id']}",
                      headers=accepted_there.headers).status_code == 200


def test_a_walk_in_cannot_enter_a_family_room_held_for_a_family(client, network, make_user):
    import sqlalchemy as sa2

    from placement.models import Bed

    case_manager = make_user("case_manager")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    mother_and_son = [{"gender": "female", "age": 33, "role": "primary", "languages": ["sq"]},
                      {"gender": "male", "age": 9, "role": "child"}]
    _case, request = open_request(client, case_manager, persons=mother_and_son, suspects=[])
    hold = _hold(client, case_manager, request["id"], network["dv-prishtine"]).get_json()
    spare = db.session.scalar(sa2.select(Bed.id).where(Bed.room_id == hold["room"]["id"],
                                                        Bed.status == "available").limit(1))
    answer = client.post(f"/api/v1/beds/{spare}/resident",
                         json={"gender": "female", "age": 40, "group": "walkin-1"},
                         headers=manager.headers)
    assert answer.status_code == 422
    assert "family room" in answer.get_json()["message"]


def test_the_administrator_sees_beds_but_not_who_is_in_them(client, network, make_user):
    import sqlalchemy as sa2

    from placement.models import Bed, Room
    from placement.services import capacity

    bed = db.session.scalar(sa2.select(Bed).join(Room).where(
        Room.shelter_id == network["dv-prishtine"], Room.kind == "adult").limit(1))
    capacity.admit_resident(bed, {"gender": "female", "age": 44, "group": "w1"}, "walk-in", None)
    db.session.commit()
    admin = make_user("admin")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])

    def occupants(caller):
        rooms = client.get(f"/api/v1/shelters/{network['dv-prishtine']}/rooms",
                           headers=caller.headers).get_json()
        return [b["occupant"] for r in rooms for b in r["beds"] if b["status"] == "occupied"]

    assert occupants(manager) == [{"gender": "female", "age": 44, "group": "w1"}]
    assert occupants(admin) == [None]


def test_a_hold_names_the_asking_organisation_not_the_person(client, network, make_user):
    case_manager = make_user("case_manager", organisation="org-a")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    made = _hold(client, case_manager, request["id"], network["dv-prishtine"]).get_json()
    organisation = db.session.execute(sa.text(
        "SELECT code, name FROM organisations WHERE code = 'org-a'")).one()
    expected = {"code": organisation.code, "name": organisation.name}
    assert made["organisation"] == expected
    listed = client.get("/api/v1/holds", headers=manager.headers).get_json()
    assert [h["organisation"] for h in listed] == [expected]
    read = client.get(f"/api/v1/holds/{made['id']}", headers=manager.headers).get_json()
    assert read["organisation"] == expected
    assert case_manager.username not in str(read)
