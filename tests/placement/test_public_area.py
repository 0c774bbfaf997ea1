"""Public areas from the network file: polygons, radii, the no-polygon bound, and refusals."""

import json

import pytest
import sqlalchemy as sa

from placement.extensions import db
from placement.models import Municipality, NetworkSettings, Shelter
from placement.services.instances import shelter_dicts
from placement.services.network import default_network, load_network
from placement.services.network_file import NetworkError
from tests.placement.privacy_script import exact_points


def _document(points=None, **changes):
    document = default_network()
    document["generate_locations"] = False
    for shelter in document["shelters"]:
        shelter["lat"], shelter["lon"] = (points or exact_points(45))[shelter["id"]]
    document.update(changes)
    return document


def _areas():
    return {s.code: list(s.area_municipalities) for s in db.session.scalars(sa.select(Shelter))}


def test_the_kosovo_load_stores_polygons_radii_and_attribution(app):
    load_network(_document())
    settings = db.session.get(NetworkSettings, 1)
    assert (settings.privacy_radius_municipality_km, settings.privacy_radius_region_km) == (3, 35)
    assert "OpenStreetMap" in settings.geometry_attribution
    boundaries = [m.boundary for m in db.session.scalars(sa.select(Municipality))]
    assert len(boundaries) == 38 and all(boundaries)
    lon, lat = boundaries[0][0][0][0]
    assert round(lon, 5) == lon and round(lat, 5) == lat
    areas = _areas()
    assert areas["dv-gjilan"] == ["gjilan"]
    assert {"prishtine", "lipjan", "podujeve"} <= set(areas["thb-high"])


def test_a_region_level_shelter_enters_the_instance_as_its_area_only(app):
    load_network(_document())
    (high,) = [s for s in shelter_dicts() if s["security_level"] == "high"]
    assert (high["lat"], high["lon"], high["location_radius_km"]) == (42.6344, 21.1356, 35.0)
    assert high["municipality"] == "region:prishtine"


def test_a_point_outside_its_area_is_refused_naming_the_shelter_and_field(app):
    points = exact_points(0)
    points["dv-gjilan"] = exact_points(0, share=1.1)["dv-gjilan"]
    with pytest.raises(NetworkError, match=r"shelters\[7\]\.lat: .*privacy radius \(3 km\)"):
        load_network(_document(points))


def test_a_shelter_may_bring_its_own_anchor_and_radius(app):
    document = _document()
    (gjilan,) = [s for s in document["shelters"] if s["id"] == "dv-gjilan"]
    gjilan.update(anchor={"lat": 42.40, "lon": 21.43}, privacy_radius_km=12)
    load_network(document)
    shelter = db.session.scalar(sa.select(Shelter).where(Shelter.code == "dv-gjilan"))
    assert (shelter.anchor_lat, shelter.privacy_radius_km, shelter.anchor_set) == (42.40, 12, True)
    assert {"gjilan", "partesh"} <= set(shelter.area_municipalities)


def test_without_polygons_the_bound_never_counts_fewer_municipalities(app):
    load_network(_document())
    exact = _areas()
    load_network(_document(geometry=None) | {"municipality_reach_km": 25.0})
    assert all(m.boundary is None for m in db.session.scalars(sa.select(Municipality)))
    bounded = _areas()
    assert all(set(exact[code]) <= set(bounded[code]) for code in exact)
    assert len(bounded["dv-gjilan"]) < 38
    document = _document()
    del document["geometry"]
    load_network(document)
    assert all(len(towns) == 38 for towns in _areas().values())


def test_an_unknown_geometry_is_refused(app):
    with pytest.raises(NetworkError, match="geometry: 'atlantis'"):
        load_network(_document(geometry="atlantis"))


def test_a_network_file_may_bring_its_own_polygons_beside_it(app, tmp_path):
    from placement.data.geo import kosovo_municipalities

    index, topology = kosovo_municipalities()
    index["attribution"] = "our own survey"
    (tmp_path / "towns.json").write_text(json.dumps(index))
    (tmp_path / index["topojson"]).write_text(json.dumps(topology))
    load_network(_document(geometry="towns.json"), base_dir=tmp_path)
    assert db.session.get(NetworkSettings, 1).geometry_attribution == "our own survey"
    assert _areas()["dv-gjilan"] == ["gjilan"]
