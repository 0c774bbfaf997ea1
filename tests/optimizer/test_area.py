"""A shelter's public area in the file format: H6 on the whole area, and old files unchanged."""

import pytest

from optimizer import instance_from_dict
from optimizer.explain import explain_by_rank
from optimizer.generate import generate
from optimizer.io import instance_to_dict
from optimizer.rules import rank
from optimizer.solve import solve
from optimizer.unassigned import explain_unassigned

from .factory import build, north_of, request, shelter


def _h6(instance):
    ranking = rank(instance, "q1")
    return {e.shelter: dict(zip(e.rules, e.reasons, strict=True)).get("H6")
            for e in ranking.excluded}


@pytest.mark.parametrize(("km", "excluded"), [(22.9, True), (23.1, False)])
def test_the_privacy_radius_adds_to_the_policy_distance(km, excluded):
    suspect = {"lat": north_of(42.0, km), "lon": 21.0, "municipality": None}
    instance = build([shelter(location_radius_km=3.0)],
                     [request(risk="medium", suspects=[suspect])])
    reason = _h6(instance).get("s1")
    if excluded:
        assert reason == ("H6: a known suspect is within 23 km of the shelter's area "
                          "(policy 20 km for medium risk + 3 km privacy radius)")
    else:
        assert reason is None


def test_a_suspect_in_any_municipality_the_area_touches_excludes():
    far = north_of(42.0, 200)
    for town, excluded in (("town", True), ("next", True), ("elsewhere", False)):
        suspect = {"lat": far, "lon": 21.0, "municipality": town}
        instance = build([shelter(location_radius_km=3.0, area_municipalities=["town", "next"])],
                         [request(suspects=[suspect])])
        reason = _h6(instance).get("s1")
        assert (reason == "H6: the shelter's area touches the municipality of a known suspect") \
            == excluded


def test_an_area_without_the_shelters_own_municipality_does_not_use_it():
    # A region-level area names the municipalities its disk touches, not the hidden one.
    suspect = {"lat": north_of(42.0, 200), "lon": 21.0, "municipality": "hidden"}
    instance = build([shelter(municipality="hidden", location_radius_km=30.0,
                              area_municipalities=["a", "b"])], [request(suspects=[suspect])])
    assert _h6(instance) == {}


def test_h6_relaxations_keep_the_radius_on_top():
    suspect = {"lat": north_of(42.0, 18.0), "lon": 21.0, "municipality": None}
    instance = build([shelter(location_radius_km=3.0)],
                     [request(risk="medium", suspects=[suspect])])
    (relaxation,) = rank(instance, "q1").relaxations
    # 18 km from the anchor, 3 km of radius: a policy distance of 15 km would admit it.
    assert (relaxation.parameter, relaxation.current, relaxation.relaxed) == (
        "min_suspect_distance_km.medium", 20.0, 15.0)


def test_a_file_without_area_fields_writes_and_solves_as_before():
    document = generate(30, 60, 3)
    instance = instance_from_dict(document)
    written = instance_to_dict(instance)
    assert all("location_radius_km" not in s and "area_municipalities" not in s
               for s in written["shelters"])
    zero = instance_from_dict({**document, "shelters": [
        {**s, "location_radius_km": 0, "area_municipalities": [s["municipality"]]}
        for s in document["shelters"]]})
    plain, explicit = solve(instance, method="greedy"), solve(zero, method="greedy")
    # The same placements and the same rules; only H6's wording names the area.
    assert (plain.assignments, plain.objective) == (explicit.assignments, explicit.objective)
    assert [[e.rules for e in u.excluded] for u in plain.unassigned] == [
        [e.rules for e in u.excluded] for u in explicit.unassigned]


def test_batch_explanations_equal_rank_with_areas_on_generated_networks():
    for seed in (4, 5):
        document = generate(40, 100, seed, variant="scarce")
        for k, s in enumerate(document["shelters"]):
            s["location_radius_km"] = (3.0, 12.5, 0.0)[k % 3]
            if k % 2:
                s["area_municipalities"] = [s["municipality"], "elsewhere"]
        instance = instance_from_dict(document)
        placed = solve(instance, method="greedy").assignments
        assert explain_unassigned(instance, placed) == explain_by_rank(instance, placed)
        assert explain_unassigned(instance, placed[1::2]) == explain_by_rank(
            instance, placed[1::2])
