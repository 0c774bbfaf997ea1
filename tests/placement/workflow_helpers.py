"""Builders for workflow tests: cases and requests through the API, as a case manager would."""

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
