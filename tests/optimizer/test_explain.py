"""Explanations: rules per shelter, checked relaxations, and no distance ever revealed."""

import re

from optimizer import apply_relaxation, instance_from_dict, rank, solution_to_dict, solve
from optimizer.generate import generate

from .factory import build, north_of, person, request, room, shelter


def _placeable_at(instance, request_id, shelter_id):
    return any(o.shelter == shelter_id for o in rank(instance, request_id).options)


def test_h6_relaxation_names_a_threshold_and_works():
    suspect = {"lat": north_of(42.0, 17.3), "lon": 21.0, "municipality": None}
    instance = build([shelter()], [request(risk="medium", suspects=[suspect])])
    ranking = rank(instance, "q1")
    assert ranking.options == ()
    (relaxation,) = ranking.relaxations
    assert relaxation.rule == "H6"
    assert (relaxation.current, relaxation.relaxed) == (20, 15)
    assert relaxation.message == ("H6: placeable at shelter s1 if the suspect distance for "
                                  "medium risk were 15 km instead of 20")
    assert _placeable_at(apply_relaxation(instance, relaxation), "q1", "s1")


def test_no_relaxation_for_a_suspect_in_the_municipality_or_right_next_door():
    same_town = {"lat": north_of(42.0, 40), "lon": 21.0, "municipality": "town"}
    next_door = {"lat": north_of(42.0, 3), "lon": 21.0, "municipality": None}
    for suspect in (same_town, next_door):
        ranking = rank(build([shelter()], [request(risk="high", suspects=[suspect])]), "q1")
        assert ranking.relaxations == ()


def test_h4_boy_age_relaxation():
    family = [person(), person("male", 15, "child")]
    instance = build([shelter("z", max_accompanying_boy_age=12,
                              rooms=[room(kind="family", beds=3)])],
                     [request(persons=family)])
    (relaxation,) = rank(instance, "q1").relaxations
    assert relaxation.message == "H4: boy aged 15 over the limit of 12 at shelter z"
    assert _placeable_at(apply_relaxation(instance, relaxation), "q1", "z")


def test_h1_relaxation_counts_missing_beds():
    family = [person(), person("male", 5, "child"), person("female", 3, "child")]
    instance = build([shelter("y", rooms=[room(kind="family", beds=2)])],
                     [request(persons=family)])
    (relaxation,) = rank(instance, "q1").relaxations
    assert relaxation.message == "H1: one bed short in a family room at shelter y"
    assert _placeable_at(apply_relaxation(instance, relaxation), "q1", "y")


def test_shelters_excluded_by_two_rules_get_no_single_relaxation():
    instance = build([shelter(wheelchair_accessible=False, rooms=[room(beds=0)])],
                     [request(needs=["wheelchair"])])
    ranking = rank(instance, "q1")
    assert ranking.excluded[0].rules == ("H1", "H8")
    assert ranking.relaxations == ()


def test_unassigned_explanations_are_made_after_the_run_placements():
    instance = build([shelter(rooms=[room(beds=1, gender="female")])],
                     [request("q1", urgency="emergency"), request("q2")])
    solution = solve(instance)
    (left,) = solution.unassigned
    assert left.request == "q2"
    assert left.excluded[0].rules == ("H1",)
    (relaxation,) = left.relaxations
    assert relaxation.message == "H1: one bed short in an adult room at shelter s1"


_KM = re.compile(r"(\d+(?:\.\d+)?) ?km")


def test_explanations_only_ever_mention_policy_thresholds():
    for seed in range(3):
        instance = instance_from_dict(generate(20, 60, seed, variant="scarce"))
        thresholds = {f"{v:g}" for v in instance.policy.min_suspect_distance_km.values()}
        solution = solve(instance, time_limit=5)
        relaxed = {f"{r.relaxed:g}" for u in solution.unassigned for r in u.relaxations
                   if r.rule == "H6"}
        texts = [text for u in solution.unassigned for e in u.excluded for text in e.reasons]
        texts += [r.message for u in solution.unassigned for r in u.relaxations]
        assert texts
        for text in texts:
            for number in _KM.findall(text):
                assert number in thresholds | relaxed
        for value in relaxed:
            assert float(value) % 5 == 0
        assert "travel" not in str(solution_to_dict(solution)["unassigned"])


def test_every_relaxation_in_a_solution_really_places_the_request():
    for seed in range(3):
        instance = instance_from_dict(generate(20, 60, seed, variant="scarce"))
        solution = solve(instance, time_limit=5)
        from optimizer import residual_instance

        residual = residual_instance(instance, solution.assignments)
        for left in solution.unassigned:
            for relaxation in left.relaxations:
                relaxed = apply_relaxation(residual, relaxation)
                assert _placeable_at(relaxed, left.request, relaxation.shelter)


def test_batch_explanations_equal_rank_on_generated_networks():
    from optimizer.explain import explain_by_rank
    from optimizer.unassigned import explain_unassigned

    for seed, variant in ((0, "scarce"), (1, "normal"), (2, "ample")):
        instance = instance_from_dict(generate(60, 120, seed, variant=variant))
        placed = solve(instance, method="greedy").assignments
        assert explain_unassigned(instance, placed) == explain_by_rank(instance, placed)
        assert explain_unassigned(instance, placed[::2]) == explain_by_rank(instance, placed[::2])
