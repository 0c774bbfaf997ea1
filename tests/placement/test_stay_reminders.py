"""Stays past the reflection period or their planned departure: one reminder per stay and reason
to the case manager and the shelter manager, however often the job runs; the date is planned
through the API on arrival or later."""

from datetime import timedelta

import sqlalchemy as sa

from placement import clock, jobs
from placement.extensions import db
from placement.models import Notification
from tests.placement.workflow_helpers import open_request


def _placed(client, network, make_user, arrive_body=None):
    case_manager = make_user("case_manager")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    _case, request = open_request(client, case_manager)
    hold = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                       json={"shelter_id": network["dv-prishtine"]},
                       headers=case_manager.headers).get_json()
    client.post(f"/api/v1/holds/{hold['id']}/accept", headers=manager.headers)
    placement_id = client.get(f"/api/v1/placement-requests/{request['id']}",
                              headers=case_manager.headers).get_json()["placement"]["id"]
    arrived = client.post(f"/api/v1/placements/{placement_id}/arrive", json=arrive_body,
                          headers=manager.headers)
    assert arrived.status_code == 200, arrived.get_json()
    return case_manager, manager, arrived.get_json()


def _told(*users):
    db.session.expire_all()
    query = sa.select(Notification).where(Notification.user_id.in_([u.user_id for u in users]),
                                          Notification.kind.like("stay.%"))
    return sorted((n.user_id, n.kind, n.payload["placement_id"])
                  for n in db.session.scalars(query))


def test_a_stay_past_the_reflection_period_is_reminded_of_once(client, network, make_user):
    case_manager, manager, placement = _placed(client, network, make_user)
    clock.set_offset(timedelta(days=89))
    assert jobs.run("remind_of_long_stays").summary == "reminded 0"
    clock.set_offset(timedelta(days=90, minutes=1))
    assert jobs.run("remind_of_long_stays").summary == "reminded 1"
    assert jobs.run("remind_of_long_stays").summary == "reminded 0"
    expected = sorted((u.user_id, "stay.reflection_period", placement["id"])
                      for u in (case_manager, manager))
    assert _told(case_manager, manager) == expected
    payload = db.session.scalars(sa.select(Notification.payload)
                                .where(Notification.kind == "stay.reflection_period")).first()
    assert set(payload) == {"placement_id", "request_id", "shelter_id", "reason_code"}


def test_planned_on_arrival_reminded_once_the_day_is_over(client, network, make_user):
    tomorrow = (clock.now() + timedelta(days=1)).date()
    case_manager, manager, placement = _placed(
        client, network, make_user, {"planned_departure": tomorrow.isoformat()})
    assert placement["planned_departure"] == tomorrow.isoformat()
    clock.set_offset(timedelta(days=1))
    assert jobs.run("remind_of_long_stays").summary == "reminded 0"
    clock.set_offset(timedelta(days=2, hours=1))
    assert jobs.run("remind_of_long_stays").summary == "reminded 1"
    assert jobs.run("remind_of_long_stays").summary == "reminded 0"
    assert {kind for _, kind, _ in _told(case_manager, manager)} == {"stay.planned_departure"}
    assert len(_told(case_manager, manager)) == 2


def test_case_manager_and_shelter_manager_plan_later_others_may_not(client, network,
                                                                    make_user):
    case_manager, manager, placement = _placed(client, network, make_user)
    path = f"/api/v1/placements/{placement['id']}"
    day = (clock.now() + timedelta(days=30)).date().isoformat()
    for caller in (case_manager, manager):
        answer = client.patch(path, json={"planned_departure": day}, headers=caller.headers)
        assert answer.status_code == 200, answer.get_json()
        assert answer.get_json()["planned_departure"] == day
    coordinator = make_user("national_coordinator")
    assert client.patch(path, json={"planned_departure": day},
                        headers=coordinator.headers).status_code == 403
    past = (clock.now() - timedelta(days=1)).date().isoformat()
    refused = client.patch(path, json={"planned_departure": past}, headers=manager.headers)
    assert refused.status_code == 422
    assert "planned_departure" in refused.get_json()["errors"]["json"]
    cleared = client.patch(path, json={"planned_departure": None}, headers=manager.headers)
    assert cleared.get_json()["planned_departure"] is None
    # Past the old date, with the plan cleared: nothing is owed for the departure.
    clock.set_offset(timedelta(days=40))
    jobs.run("remind_of_long_stays")
    assert _told(case_manager, manager) == []


def test_the_reflection_period_is_the_stored_policys(client, network, make_user):
    case_manager, manager, placement = _placed(client, network, make_user)
    admin = make_user("admin")
    tag = client.get("/api/v1/policy", headers=admin.headers).headers["ETag"]
    changed = client.patch("/api/v1/policy", json={"reflection_period_days": 30,
                                                   "reason": "a shorter reflection period"},
                           headers={**admin.headers, "If-Match": tag})
    assert changed.status_code == 200, changed.get_json()
    clock.set_offset(timedelta(days=30, minutes=1))
    assert jobs.run("remind_of_long_stays").summary == "reminded 1"
    assert {kind for _user, kind, _id in _told(case_manager, manager)} == \
        {"stay.reflection_period"}
