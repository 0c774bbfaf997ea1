"""Bounds every request shares: the caller's X-Request-ID, and how deeply a JSON body nests."""

import pytest
import sqlalchemy as sa

from placement.bodies import json_depth
from placement.extensions import db
from placement.models import AuditEvent


def _audited_request_ids():
    db.session.expire_all()
    return set(db.session.scalars(sa.select(AuditEvent.request_id)))


@pytest.mark.parametrize("supplied", [
    "<script>alert(1)</script>",
    "call the police on Rruga Nena Tereze 12",
    "a" * 65,
    "abc_def",
    "abc def",
    "ab\u00e7d",
])
def test_a_request_id_that_is_not_a_plain_token_is_replaced(client, network, make_user, supplied):
    caller = make_user("case_manager")
    response = client.get("/api/v1/holds", headers={**caller.headers, "X-Request-ID": supplied})
    assert response.status_code == 200
    answered = response.headers["X-Request-ID"]
    assert answered != supplied and len(answered) == 32 and answered.isalnum()
    assert supplied not in _audited_request_ids()


def test_a_plain_token_request_id_is_kept(client, network, make_user):
    caller = make_user("case_manager")
    token = "trace-" + "A1b2" * 14 + "zz"
    assert len(token) == 64
    response = client.get("/api/v1/holds", headers={**caller.headers, "X-Request-ID": token})
    assert response.headers["X-Request-ID"] == token
    assert token in _audited_request_ids()


def _nested(levels):
    return "[" * levels + "]" * levels


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/cases",
                                  "/api/v1/placement-requests"])
def test_deeply_nested_json_is_a_400_naming_the_limit(client, network, make_user, path):
    caller = make_user("case_manager")
    response = client.post(path, data=_nested(5000), headers=caller.headers,
                           content_type="application/json")
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == 400 and "32" in body["message"] and "json" in body["errors"]


def test_nesting_inside_a_field_counts_too(client, network, make_user):
    caller = make_user("case_manager")
    body = '{"category": "dv", "persons": ' + _nested(40) + "}"
    response = client.post("/api/v1/cases", data=body, headers=caller.headers,
                           content_type="application/json")
    assert response.status_code == 400 and "json" in response.get_json()["errors"]


def test_brackets_inside_strings_and_normal_bodies_pass(client, network):
    response = client.post("/api/v1/auth/login", json={"username": "[" * 5000,
                                                       "password": "{" * 100})
    assert response.status_code in (401, 422)


def test_a_utf16_body_cannot_hide_its_nesting(client, network):
    # Raw bytes of UTF-16 would turn the escaped quote into an end of string and the brackets
    # after it into string content; Python's parser reads UTF-16 JSON all the same.
    text = '["\\"", ' + _nested(5000) + ', "x"]'
    assert json_depth(text.encode("utf-16-le")) == 5001
    assert json_depth(text.encode("utf-32")) == 5001
    response = client.post("/api/v1/auth/login", data=text.encode("utf-16-le"),
                           content_type="application/json")
    assert response.status_code == 400 and "json" in response.get_json()["errors"]


def test_depth_counts_structure_not_text():
    assert json_depth(b'{"a": [1, {"b": "[[[[\\"]]]"}]}') == 3
    assert json_depth(b'"{{{{"') == 0
    assert json_depth(b"[" * 33 + b"]" * 33) == 33
