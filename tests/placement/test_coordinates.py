"""A shelter's exact location leaves the server in no response, error or log line."""

import logging

import pytest
import sqlalchemy as sa

from placement.extensions import db
from placement.models import Shelter
from placement.resources.shelters import routes as shelter_routes
from placement.services.network import shelter_location
from tests.placement.conftest import SEEDED_COORDINATES, remember_coordinate

SECRET = (42.512345, 20.654321)
MOVED = (42.223456, 20.752345)  # inside dv-prizren's area: 3 km around Prizren's centroid


@pytest.fixture
def admin(network, make_user):
    for value in (*SECRET, *MOVED):
        remember_coordinate(value)
    return make_user("admin")


def new_shelter(**changes):
    body = {
        "id": "dv-secret",
        "name": "Secret shelter",
        "kind": "dv",
        "region": "prizren",
        "municipality": "rahovec",
        "location_disclosure": "region",
        "lat": SECRET[0],
        "lon": SECRET[1],
        "gender_policy": "women",
        "rooms": [{"id": "A1", "kind": "adult", "gender": "female", "beds": 3}],
    }
    body.update(changes)
    return body


def test_the_scan_fails_a_response_that_carries_a_coordinate(client, admin):
    # The scan is what every other test relies on: make sure it can fail.
    SEEDED_COORDINATES.add("Prizren")
    try:
        with pytest.raises(AssertionError, match="leaked a shelter coordinate"):
            client.get("/api/v1/regions", headers=admin.headers)
    finally:
        SEEDED_COORDINATES.discard("Prizren")


def test_creating_a_shelter_never_echoes_its_location(client, admin, make_user):
    created = client.post("/api/v1/shelters", json=new_shelter(), headers=admin.headers)
    assert created.status_code == 201
    body = created.get_json()
    assert "lat" not in body and "lon" not in body
    assert body["position"]["level"] == "region" and body["position"]["code"] == "prizren"
    shelter = db.session.scalar(sa.select(Shelter).where(Shelter.code == "dv-secret"))
    assert shelter_location(shelter) == SECRET
    # Every view of it, by every role that can see it, goes through the scan.
    readers = [
        admin,
        make_user("case_manager"),
        make_user("regional_coordinator", region="prizren"),
    ]
    readers.append(make_user("shelter_manager", shelters=["dv-secret"]))
    for reader in readers:
        assert client.get("/api/v1/shelters", headers=reader.headers).status_code == 200
        one = client.get(f"/api/v1/shelters/{shelter.id}", headers=reader.headers)
        assert one.status_code == 200
        assert "municipality" not in one.get_json() or reader.role != "case_manager"


def test_moving_a_shelter_reseals_and_never_echoes(client, admin, network):
    url = f"/api/v1/shelters/{network['dv-prizren']}"
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    moved = client.patch(
        url,
        json={"lat": MOVED[0], "lon": MOVED[1]},
        headers={**admin.headers, "If-Match": etag},
    )
    assert moved.status_code == 200
    assert moved.headers["ETag"] != etag
    shelter = db.session.get(Shelter, network["dv-prizren"])
    db.session.refresh(shelter)
    assert shelter_location(shelter) == MOVED


def test_a_location_outside_the_public_area_is_refused_without_echo(client, admin, network):
    url = f"/api/v1/shelters/{network['dv-prizren']}"
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    refused = client.patch(url, json={"lat": SECRET[0], "lon": SECRET[1]},
                           headers={**admin.headers, "If-Match": etag})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"lat": ["outside the public area"]}
    assert "privacy radius (3 km)" in refused.get_json()["message"]
    # A radius wide enough, set by the administrator in the same change, admits it.
    widened = client.patch(url, json={"lat": SECRET[0], "lon": SECRET[1],
                                      "privacy_radius_km": 40},
                           headers={**admin.headers, "If-Match": etag})
    assert widened.status_code == 200
    area = widened.get_json()["area"]
    assert area["radius_km"] == 40 and "rahovec" in area["municipalities"]
    # Back to the default radius: the point no longer fits, and nothing is half-written.
    back = client.patch(url, json={"privacy_radius_km": None},
                        headers={**admin.headers, "If-Match": widened.headers["ETag"]})
    assert back.status_code == 422
    assert client.get(url, headers=admin.headers).get_json()["area"]["radius_km"] == 40


@pytest.mark.parametrize(
    "body, status, field",
    [
        (new_shelter(lon=200.0), 422, "lon"),
        (new_shelter(municipality="dragash", location_disclosure="municipality"), 422, "lat"),
        (new_shelter(lat=SECRET[0], lon=None), 422, "lon"),
        (new_shelter(kind="hotel"), 422, "kind"),
        (new_shelter(colour="red"), 422, "colour"),
        (new_shelter(municipality="prishtine"), 422, "region"),
        (new_shelter(id="dv-peje"), 409, "id"),
    ],
)
def test_refused_shelters_never_echo_the_location(client, admin, body, status, field):
    response = client.post("/api/v1/shelters", json=body, headers=admin.headers)
    assert response.status_code == status
    assert field in response.get_json()["message"] or field in response.get_json()["errors"]


def test_not_found_and_conflict_paths_carry_no_location(client, admin, network):
    patch = client.patch(
        "/api/v1/shelters/999999",
        json={"lat": SECRET[0], "lon": SECRET[1]},
        headers={**admin.headers, "If-Match": "*"},
    )
    assert patch.status_code == 404
    url = f"/api/v1/shelters/{network['dv-peje']}"
    stale = client.patch(
        url, json={"lat": SECRET[0], "lon": SECRET[1]}, headers={**admin.headers, "If-Match": '"x"'}
    )
    assert stale.status_code == 412
    required = client.patch(url, json={"lat": SECRET[0], "lon": SECRET[1]}, headers=admin.headers)
    assert required.status_code == 428


def test_an_unexpected_error_answers_500_and_leaks_nothing(client, admin, network, monkeypatch):
    def explode(user, shelter):
        lat, lon = shelter_location(shelter)  # a failure whose message carries the location
        raise RuntimeError(f"the optimizer's distance table is corrupt near {lat} {lon}")

    monkeypatch.setattr(shelter_routes.shelters, "view_one", explode)
    caplog = []
    handler = logging.Handler()
    handler.emit = lambda record: caplog.append(record)
    logging.getLogger("placement.errors").addHandler(handler)
    try:
        response = client.get(f"/api/v1/shelters/{network['dv-peje']}", headers=admin.headers)
    finally:
        logging.getLogger("placement.errors").removeHandler(handler)
    assert response.status_code == 500
    body = response.get_json()
    assert body["message"] == "internal error; it has been logged"
    assert "corrupt" not in response.get_data(as_text=True)
    request_id = response.headers["X-Request-ID"]
    assert any(request_id in record.getMessage() for record in caplog)


def test_an_area_change_is_no_oracle_on_the_stored_point(client, admin, network):
    # Were the stored point checked against a new anchor or radius, accepted/refused would say
    # whether the secret point lies within R of the anchor the administrator picked. So a new
    # area needs the point sent again, and the answer is the same wherever the point lies.
    url = f"/api/v1/shelters/{network['dv-prizren']}"
    answers = []
    for radius in (1, 2, 40):
        etag = client.get(url, headers=admin.headers).headers["ETag"]
        answer = client.patch(url, json={"privacy_radius_km": radius},
                              headers={**admin.headers, "If-Match": etag})
        answers.append((answer.status_code, answer.get_json()["errors"]))
    assert answers == [(422, {"lat": ["needed with a new public area"],
                              "lon": ["needed with a new public area"]})] * 3
    etag = client.get(url, headers=admin.headers).headers["ETag"]
    moved = client.patch(url, json={"anchor": {"lat": 42.25, "lon": 20.70}},
                         headers={**admin.headers, "If-Match": etag})
    assert moved.status_code == 422 and "lat" in moved.get_json()["errors"]
    # Restating the radius it has changes no area: accepted, wherever the point lies.
    same = client.patch(url, json={"privacy_radius_km": 3},
                        headers={**admin.headers, "If-Match": etag})
    assert same.status_code == 200
    # Sent together with a point inside the new area, the change is made.
    together = client.patch(url, json={"privacy_radius_km": 5, "lat": 42.215, "lon": 20.745},
                            headers={**admin.headers, "If-Match": same.headers["ETag"]})
    assert together.status_code == 200 and together.get_json()["area"]["radius_km"] == 5
