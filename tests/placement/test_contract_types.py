"""The API's value types as a client reads them: every date-time the OpenAPI document promises is
ISO 8601 with its offset in the real answer (a placement nested in a request too), and whole
numbers are whole numbers (a string or a fraction is refused naming the field)."""

import re

import pytest

from tests.placement.workflow_helpers import case_body, open_request

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")


def _resolve(spec, schema):
    while True:
        # A nullable nested object is documented as anyOf [a null object, its schema].
        branches = [b for b in schema.get("anyOf", schema.get("allOf", ())) if "$ref" in b]
        if branches:
            schema = branches[0]
        if "$ref" not in schema:
            return schema
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][name]


def _date_times(spec, schema, value, where, found):
    """Append (where, value) for every value the schema says is a date-time."""
    schema = _resolve(spec, schema)
    if value is None:
        return
    if schema.get("format") == "date-time":
        found.append((where, value))
    elif schema.get("type") == "array" and isinstance(value, list):
        for index, item in enumerate(value):
            _date_times(spec, schema.get("items", {}), item, f"{where}.{index}", found)
    elif isinstance(value, dict):
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                _date_times(spec, sub, value[name], f"{where}.{name}", found)


def _response_schema(spec, template, method, status):
    answer = spec["paths"][template][method]["responses"][str(status)]
    return answer["content"]["application/json"]["schema"]


def test_every_documented_date_time_is_iso_with_offset_in_real_answers(client, network,
                                                                        make_user):
    case_manager = make_user("case_manager")
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    national = make_user("national_coordinator")
    case, request = open_request(client, case_manager)
    hold = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                       json={"shelter_id": network["dv-prishtine"]},
                       headers=case_manager.headers).get_json()
    accepted = client.post(f"/api/v1/holds/{hold['id']}/accept", headers=manager.headers)
    assert accepted.status_code == 200, accepted.get_json()
    placement_id = client.get(f"/api/v1/placement-requests/{request['id']}",
                              headers=case_manager.headers).get_json()["placement"]["id"]
    client.post(f"/api/v1/placements/{placement_id}/arrive", headers=manager.headers)
    run = client.post("/api/v1/optimizer/runs", json={"time_limit": 1},
                      headers=national.headers).get_json()
    spec = client.get("/api/v1/openapi.json").get_json()
    reads = [
        (case_manager, "/cases/{case_id}", f"/cases/{case['id']}"),
        (case_manager, "/cases", "/cases"),
        (case_manager, "/placement-requests/{request_id}",
         f"/placement-requests/{request['id']}"),
        (case_manager, "/placement-requests", "/placement-requests"),
        (case_manager, "/placement-requests/{request_id}/events",
         f"/placement-requests/{request['id']}/events"),
        (manager, "/holds/{hold_id}", f"/holds/{hold['id']}"),
        (manager, "/placements/{placement_id}", f"/placements/{placement_id}"),
        (manager, "/shelters/{shelter_id}", f"/shelters/{network['dv-prishtine']}"),
        (manager, "/notifications", "/notifications"),
        (national, "/optimizer/runs/{run_id}", f"/optimizer/runs/{run['id']}"),
    ]
    found = []
    for caller, template, path in reads:
        answer = client.get(f"/api/v1{path}", headers=caller.headers)
        assert answer.status_code == 200, (path, answer.get_json())
        schema = _response_schema(spec, f"/api/v1{template}", "get", 200)
        _date_times(spec, schema, answer.get_json(), path, found)
    wrong = [(where, value) for where, value in found if not ISO_UTC.match(str(value))]
    assert not wrong
    places = {where for where, _ in found}
    # The walk reached nested objects, the placement inside a request among them.
    assert f"/placement-requests/{request['id']}.placement.accepted_at" in places
    assert f"/placement-requests/{request['id']}.holds.0.expires_at" in places
    assert len(found) > 20


@pytest.mark.parametrize("age", ["31", 30.5, True])
def test_an_age_that_is_not_a_whole_number_is_refused_naming_it(client, network, make_user, age):
    case_manager = make_user("case_manager")
    persons = [{"gender": "female", "age": age, "role": "primary", "languages": ["sq"]}]
    answer = client.post("/api/v1/cases", json=case_body(persons=persons),
                         headers=case_manager.headers)
    assert answer.status_code == 422, answer.get_json()
    assert "age" in answer.get_json()["errors"]["json"]["persons"]["0"]
    assert "persons.0.age" in answer.get_json()["message"]


def test_ids_strict_in_bodies_and_digits_only_in_query_strings(client, network, make_user):
    case_manager = make_user("case_manager")
    case, _request = open_request(client, case_manager)
    answer = client.post("/api/v1/placement-requests",
                         json={"case_id": str(case["id"]), "urgency": "urgent",
                               "current_municipality": "prishtine"},
                         headers=case_manager.headers)
    assert answer.status_code == 422
    assert "case_id" in answer.get_json()["errors"]["json"]
    listed = client.get("/api/v1/placement-requests?limit=5", headers=case_manager.headers)
    assert listed.status_code == 200
    fraction = client.get("/api/v1/placement-requests?limit=2.5", headers=case_manager.headers)
    assert fraction.status_code == 422
    assert "limit" in fraction.get_json()["errors"]["query"]


def test_a_plain_marshmallow_integer_cannot_enter_a_schema():
    from marshmallow import fields

    from placement.resources.common import StrictSchema

    class Careless(StrictSchema):
        age = fields.Integer()

    with pytest.raises(TypeError, match="placement.contract.Integer"):
        Careless()
