"""The packaged municipality polygons decode to closed rings that hold their own centroids."""

import pytest

from placement.data.geo import kosovo_municipalities
from placement.geometry import (
    contains,
    distance_to_boundary_km,
    haversine_km,
    municipality_shapes,
    touched_by_disk,
)
from placement.services.network import default_network


@pytest.fixture(scope="module")
def shapes():
    return municipality_shapes(*kosovo_municipalities())


@pytest.fixture(scope="module")
def centroids():
    return {m["code"]: (m["lat"], m["lon"]) for m in default_network()["municipalities"]}


def test_every_municipality_of_the_network_has_one_shape(shapes, centroids):
    assert sorted(shapes) == sorted(centroids)
    for polygons in shapes.values():
        for rings in polygons:
            for ring in rings:
                assert ring[0] == pytest.approx(ring[-1]), "rings close"


def test_each_centroid_lies_in_its_own_municipality_only(shapes, centroids):
    for code, (lat, lon) in centroids.items():
        inside = [other for other, polygons in shapes.items() if contains(polygons, lat, lon)]
        assert inside == [code]


def test_a_small_disk_touches_its_municipality_and_a_large_one_its_neighbours(shapes, centroids):
    lat, lon = centroids["prishtine"]
    assert "prishtine" in touched_by_disk(shapes, lat, lon, 0.0)
    wide = touched_by_disk(shapes, lat, lon, 15.0)
    assert {"prishtine", "obiliq", "fushe-kosove", "gracanice"} <= set(wide)
    assert "prizren" not in wide and "leposaviq" not in wide


def test_the_kllokot_enclave_is_a_hole_in_viti(shapes, centroids):
    lat, lon = centroids["kllokot"]
    assert not contains(shapes["viti"], lat, lon)
    assert distance_to_boundary_km(shapes["viti"], lat, lon) < 5


def test_boundary_distance_agrees_with_haversine_on_a_known_edge():
    square = [[[(21.0, 42.0), (21.1, 42.0), (21.1, 42.1), (21.0, 42.1), (21.0, 42.0)]]]
    # Due south of the bottom edge's midpoint by 0.05 degrees of latitude.
    expected = haversine_km(41.95, 21.05, 42.0, 21.05)
    assert distance_to_boundary_km(square, 41.95, 21.05) == pytest.approx(expected, rel=0.01)
    assert touched_by_disk({"sq": square}, 41.95, 21.05, expected - 0.6) == []
    assert touched_by_disk({"sq": square}, 41.95, 21.05, expected - 0.4) == ["sq"]
