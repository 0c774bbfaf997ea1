"""Builders for workflow tests: cases and requests through the API, as a case manager would."""

import sqlalchemy as sa

from placement.extensions import db

MOTHER_WITH_TWO = [
    {"gender": "female", "age": 31, "role": "primary", "languages": ["sq"], "needs": ["legal"]},
    {"gender": "male", "age": 9, "role": "child"},
    {"gender": "female", "age": 6, "role": "child"},
]


def case_body(**overrides):
    body = {
        "category": "dv",
        "risk": "medium",
        "persons": MOTHER_WITH_TWO,
        "suspects": [{"municipality": "gjakove"}],
        "referral_source": "police",
        "identifying_authority": "police",
    }
    body.update(overrides)
    return body


def open_request(client, caller, municipality="prishtine", urgency="urgent", **case_fields):
    """POST a case and a placement request for it; returns (case json, request json)."""
    case = client.post("/api/v1/cases", json=case_body(**case_fields), headers=caller.headers)
    assert case.status_code == 201, case.get_json()
    request = client.post(
        "/api/v1/placement-requests",
        json={"case_id": case.get_json()["id"], "urgency": urgency,
              "current_municipality": municipality},
        headers=caller.headers,
    )
    assert request.status_code == 201, request.get_json()
    return case.get_json(), request.get_json()


def refreshed(caller):
    """The same account with a new token: after the clock moved past the idle timeout."""
    from dataclasses import replace

    from placement.extensions import db
    from placement.models import User
    from placement.services import accounts

    token, _row = accounts.issue_token(db.session.get(User, caller.user_id))
    db.session.commit()
    return replace(caller, token=token)


def hold_bed(bed):
    """Hold one bed the way the workflow does (a real Hold row, the guarded move), without HTTP.

    For capacity tests that need a held bed but are not about placement requests.
    """
    from datetime import timedelta

    import sqlalchemy as sa

    from placement import clock
    from placement.extensions import db
    from placement.models import Case, Hold, Organisation, PlacementRequest, User
    from placement.services import capacity

    organisation = db.session.scalar(sa.select(Organisation).limit(1))
    if organisation is None:
        organisation = Organisation(code="holders", name="holders")
        db.session.add(organisation)
        db.session.flush()
    user = db.session.scalar(sa.select(User).where(User.username == "hold-bed-helper"))
    if user is None:
        user = User(username="hold-bed-helper", password_hash="-", role="case_manager",
                    organisation_id=organisation.id, created_at=clock.now())
        db.session.add(user)
        db.session.flush()
    moment = clock.now()
    case = Case(code=f"K-T{bed.id:03d}-{moment.microsecond % 10000:04d}",
                organisation_id=organisation.id, created_by_id=user.id, category="dv",
                risk="low", persons=[{"gender": "female", "age": 30, "role": "primary"}],
                referral_source="police", identifying_authority="police", created_at=moment)
    db.session.add(case)
    db.session.flush()
    request = PlacementRequest(case_id=case.id, created_by_id=user.id, urgency="routine",
                               current_municipality=bed.room.shelter.municipality_code,
                               status="held", created_at=moment, updated_at=moment)
    db.session.add(request)
    db.session.flush()
    hold = Hold(request_id=request.id, shelter_id=bed.room.shelter_id, room_id=bed.room_id,
                status="active", created_by_id=user.id, created_at=moment,
                expires_at=moment + timedelta(hours=2))
    db.session.add(hold)
    db.session.flush()
    capacity.move_beds([bed.id], ("available",), "held", "hold", None, hold_id=hold.id)
    return hold


def release_bed(bed):
    """Undo hold_bed: the bed goes back to available and its hold is released."""
    from placement.extensions import db
    from placement.models import Hold
    from placement.services import capacity

    hold_id = bed.hold_id
    capacity.move_beds([bed.id], ("held",), "available", "released", None, hold_id=None)
    if hold_id is not None:
        db.session.get(Hold, hold_id).status = "released"


def sequences_past_given_ids(*tables):
    """PostgreSQL: after rows inserted with ids given by hand, move the tables' id sequences
    past them, as a loader's inserts would (a no-op on SQLite)."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in tables:
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM"
            f" {table}))"))
    db.session.commit()
