"""The workflow leaves an audit trail and tells the right people, and the jobs drive it on."""

from datetime import timedelta

import sqlalchemy as sa

from placement import clock
from placement.extensions import db
from placement.models import AuditEvent, JobRun, Notification
from placement.services import audit_verify
from tests.placement.workflow_helpers import open_request

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]


def _actions(object_type=None):
    query = sa.select(AuditEvent.action).order_by(AuditEvent.seq)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
    return list(db.session.scalars(query))


def _kinds(user_id):
    return list(db.session.scalars(
        sa.select(Notification.kind).where(Notification.user_id == user_id)
        .order_by(Notification.id)
    ))


def test_workflow_is_audited_and_notified_and_the_chain_holds(client, network, make_user):
    case_manager = make_user("case_manager")
    colleague = make_user("case_manager")  # same organisation: learns of decisions too
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    client.get(f"/api/v1/cases/{case['id']}", headers=case_manager.headers)
    client.get(f"/api/v1/placement-requests/{request['id']}/proposals",
               headers=case_manager.headers)
    hold = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                       json={"shelter_id": network["dv-prishtine"]},
                       headers=case_manager.headers).get_json()
    assert _kinds(manager.user_id) == ["hold.created"]
    client.post(f"/api/v1/holds/{hold['id']}/decline", json={"reason": "no_capacity"},
                headers=manager.headers)
    assert _kinds(case_manager.user_id) == _kinds(colleague.user_id) == ["hold.declined"]

    assert {"case.create", "case.read", "request.proposals"} <= set(_actions())
    assert _actions("placement_request") == [
        "request.created", "request.proposals", "hold.created", "hold.declined"]
    rows = db.session.scalars(sa.select(AuditEvent)).all()
    assert all(row.detail is None or "K-" not in row.detail for row in rows)
    assert audit_verify.verify().ok


def test_expiry_job_releases_the_hold_and_tells_both_sides(app, client, network, make_user):
    case_manager = make_user("case_manager")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                json={"shelter_id": network["dv-prishtine"]}, headers=case_manager.headers)
    clock.set_offset(app.config["HOLD_TTL"] + timedelta(minutes=1))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["jobs", "run", "release_expired_holds"])
    assert result.exit_code == 0, result.output
    assert "expired 1" in result.output
    assert _kinds(case_manager.user_id) == ["hold.expired"]
    assert _kinds(manager.user_id) == ["hold.created", "hold.expired"]
    again = runner.invoke(args=["jobs", "run", "repropose_open_requests"])
    assert again.exit_code == 0 and "1 proposed" in again.output, again.output
    outcomes = db.session.scalars(sa.select(JobRun.outcome).order_by(JobRun.id)).all()
    assert outcomes == ["ok", "ok"]
