"""The example network of another country (examples/montenegro.json): it loads with
`flask network load`, its own policy is the one applied, and a bad policy section is refused
naming its path."""

import copy
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from placement.extensions import db
from placement.models import PolicyVersion, Shelter
from tests.placement.conftest import remember_coordinates
from tests.placement.workflow_helpers import open_request

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "montenegro.json"
WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sr"]}]
# 42 km due north of Podgorica's centroid, the public anchor of me-dv-centar (radius 3 km):
# Kosovo's default high-risk threshold (30 + 3 km) would allow the shelter, the example's
# (50 + 3 km) excludes it.
SUSPECT_42_KM = {"lat": 42.44 + 42 / 111.2, "lon": 19.26}


def load(app, path):
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["network", "load", str(path)])
    db.session.expire_all()
    remember_coordinates()
    return result


def shelter_id(code):
    return db.session.scalar(sa.select(Shelter.id).where(Shelter.code == code))


def test_the_example_loads_with_its_own_policy_once(app):
    first = load(app, EXAMPLE)
    assert first.exit_code == 0, first.output
    assert "shelter me-dv-centar: created" in first.output
    assert "policy: version 1" in first.output
    again = load(app, EXAMPLE)
    assert again.exit_code == 0, again.output
    assert "policy: unchanged" in again.output
    version = db.session.scalar(sa.select(PolicyVersion))
    assert (version.source, version.reason) == ("network_file", "network file")
    assert version.settings["min_suspect_distance_km"]["high"] == 50
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PolicyVersion)) == 1


def test_the_examples_threshold_is_the_one_applied(app, client, make_user):
    assert load(app, EXAMPLE).exit_code == 0
    case_manager = make_user("case_manager")
    admin = make_user("admin")
    shelter = shelter_id("me-dv-centar")
    _case, request = open_request(client, case_manager, municipality="podgorica",
                                  persons=WOMAN, risk="high", suspects=[SUSPECT_42_KM])
    url = f"/api/v1/placement-requests/{request['id']}/proposals"
    body = client.get(url, headers=case_manager.headers).get_json()
    assert shelter not in {o["shelter"]["id"] for o in body["options"]}
    excluded = next(e for e in body["excluded"] if e["shelter"]["id"] == shelter)
    assert excluded["rules"] == ["H6"]
    assert excluded["reasons"] == [
        "H6: a known suspect is within 53 km of the shelter's area (policy 50 km for high risk"
        " + 3 km privacy radius)"]
    # Under Kosovo's default (30 km) the same suspect leaves the shelter open.
    tag = client.get("/api/v1/policy", headers=admin.headers).headers["ETag"]
    answer = client.patch("/api/v1/policy", headers={**admin.headers, "If-Match": tag}, json={
        "min_suspect_distance_km": {"high": 30}, "reason": "compare with the default"})
    assert answer.status_code == 200, answer.get_json()
    body = client.get(url, headers=case_manager.headers).get_json()
    assert shelter in {o["shelter"]["id"] for o in body["options"]}


BAD_POLICIES = {
    "negative distance": ({"min_suspect_distance_km": {"high": -1}},
                          "policy.min_suspect_distance_km.high: Must be greater than or equal"),
    "unknown field": ({"colour": "blue"}, "policy.colour: Unknown field."),
    "text weight": ({"risk_weights": {"high": "4"}}, "policy.risk_weights.high: Not a valid"),
    "short hold": ({"hold_ttl_minutes": 5}, "policy.hold_ttl_minutes: Must be greater"),
    "high below the default medium": (
        {"min_suspect_distance_km": {"high": 15}},
        "policy.min_suspect_distance_km.high: must be at least medium's 20 km"),
}


@pytest.mark.parametrize("name", sorted(BAD_POLICIES))
def test_a_bad_policy_section_names_its_path_and_loads_nothing(app, tmp_path, name):
    section, message = BAD_POLICIES[name]
    document = copy.deepcopy(json.loads(EXAMPLE.read_text()))
    document["policy"] = section
    path = tmp_path / "network.json"
    path.write_text(json.dumps(document))
    result = load(app, path)
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Shelter)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PolicyVersion)) == 0
