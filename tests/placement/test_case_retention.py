"""Closed cases are purged once the retention period after closing has passed: nothing about the
case is left but anonymous counts for the unmet-need figures, the audit log still verifies, and
running the job again changes nothing."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from placement import clock, jobs
from placement.extensions import db
from placement.models import (
    Case,
    Hold,
    NeedCount,
    Notification,
    Placement,
    PlacementRequest,
    RequestEvent,
    RiskAssessment,
)
from placement.services import audit_verify
from tests.placement.workflow_helpers import open_request

DAY = timedelta(days=1)


def _hold(client, caller, request_id, shelter_id):
    answer = client.post(f"/api/v1/placement-requests/{request_id}/holds",
                         json={"shelter_id": shelter_id}, headers=caller.headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def _stayed_and_closed(client, network, case_manager, manager):
    """A case whose first hold was declined, whose first placement was a no-show, then placed,
    discharged and closed."""
    case, request = open_request(client, case_manager, notes="lives with her sister")
    shelter = network["dv-prishtine"]
    declined = _hold(client, case_manager, request["id"], shelter)
    client.post(f"/api/v1/holds/{declined}/decline",
                json={"reason": "needs_not_met", "note": "no ramp"}, headers=manager.headers)
    missed = _hold(client, case_manager, request["id"], shelter)
    client.post(f"/api/v1/holds/{missed}/accept", headers=manager.headers)
    missed = db.session.scalar(sa.select(Placement.id).where(Placement.hold_id == missed))
    client.post(f"/api/v1/placements/{missed}/no-show", headers=manager.headers)
    accepted = _hold(client, case_manager, request["id"], shelter)
    client.post(f"/api/v1/holds/{accepted}/accept", headers=manager.headers)
    placement = db.session.scalar(sa.select(Placement.id).where(Placement.hold_id == accepted))
    client.post(f"/api/v1/placements/{placement}/arrive", headers=manager.headers)
    client.post(f"/api/v1/placements/{placement}/discharge",
                json={"reason": "independent_living"}, headers=manager.headers)
    closed = client.post(f"/api/v1/cases/{case['id']}/close", json={"reason": "finished"},
                         headers=case_manager.headers)
    assert closed.status_code == 200, closed.get_json()
    return case, request


def _left_of(case, request):
    db.session.expire_all()
    return {
        "case": db.session.get(Case, case["id"]),
        "risk": db.session.scalars(sa.select(RiskAssessment)
                                   .where(RiskAssessment.case_id == case["id"])).all(),
        "request": db.session.get(PlacementRequest, request["id"]),
        "holds": db.session.scalars(sa.select(Hold)
                                    .where(Hold.request_id == request["id"])).all(),
        "events": db.session.scalars(sa.select(RequestEvent)
                                     .where(RequestEvent.request_id == request["id"])).all(),
        "notifications": [n for n in db.session.scalars(sa.select(Notification))
                          if n.payload.get("case_code") == case["code"]
                          or n.payload.get("request_id") == request["id"]],
    }


def _counts():
    db.session.expire_all()
    return sorted((n.municipality, n.category, n.urgency, n.outcome, n.count)
                  for n in db.session.scalars(sa.select(NeedCount)))


def test_a_closed_case_is_purged_after_retention_leaving_only_counts(client, network,
                                                                    make_user):
    case_manager = make_user("case_manager")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    old_case, old_request = _stayed_and_closed(client, network, case_manager, manager)
    open_case, open_req = open_request(client, case_manager)
    assert all(_left_of(old_case, old_request).values())

    clock.set_offset(365 * DAY - timedelta(hours=1))
    assert jobs.run("purge_closed_cases").summary == "purged 0"
    clock.set_offset(365 * DAY + timedelta(hours=1))
    assert jobs.run("purge_closed_cases").summary == "purged 1"
    assert not any(_left_of(old_case, old_request).values())
    counted = [("prishtine", "dv", "urgent", "declined:needs_not_met", 1),
               ("prishtine", "dv", "urgent", "no_show", 1),
               ("prishtine", "dv", "urgent", "placed", 1)]
    assert _counts() == counted
    # Nothing twice: the second run finds nothing and counts nothing again.
    assert jobs.run("purge_closed_cases").summary == "purged 0"
    assert _counts() == counted
    # An open case is not touched, and the audit chain still holds.
    assert all(_left_of(open_case, open_req)[k] for k in ("case", "risk", "request"))
    assert audit_verify.verify().ok


def test_events_of_an_open_case_stay_append_only(client, network, make_user):
    case_manager = make_user("case_manager")
    _case, request = open_request(client, case_manager)
    for statement in ("UPDATE request_events SET action = 'rewritten'",
                      f"DELETE FROM request_events WHERE request_id = {request['id']}"):
        with pytest.raises(sa.exc.DatabaseError, match="append-only"):
            db.session.execute(sa.text(statement))
            db.session.flush()
        db.session.rollback()
    assert _left_of(_case, request)["events"]
