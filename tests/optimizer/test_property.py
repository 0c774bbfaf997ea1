"""Generated small instances: every answer validates, and the optimum equals brute force."""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer import Assignment, Status, check_solution, evaluate, solve, violations

from .factory import build, occupant, person, request, room, shelter

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])

genders = st.sampled_from(["female", "male"])


@st.composite
def rooms(draw, prefix):
    result = []
    for k in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["adult", "adult", "minor", "family", "family"]))
        beds = draw(st.integers(0, 4))
        taken = draw(st.sampled_from([0, 0, 0, 1, 2]))
        taken = min(taken, beds)
        gender = draw(st.sampled_from(["female", "male", "any"]))
        who = draw(genders) if gender == "any" else gender
        held = draw(st.sampled_from([0, 0, 0, 1]))
        held = min(held, beds - taken)
        result.append(room(f"{prefix}r{k}", kind, gender, beds,
                           [occupant(who, 30, f"g{i}") for i in range(taken)], held))
    return result


@st.composite
def shelters(draw, count):
    return [shelter(
        f"s{k}", rooms=draw(rooms(f"s{k}")),
        kind=draw(st.sampled_from(["thb", "dv", "dv"])),
        security_level=draw(st.sampled_from(["standard", "standard", "high"])),
        lat=42.0 + draw(st.integers(0, 100)) / 100, lon=21.0,
        municipality=draw(st.sampled_from(["a", "b", "c"])),
        gender_policy=draw(st.sampled_from(["women", "men", "any", "any", "any"])),
        accepts_unaccompanied_minors=draw(st.sampled_from([True, True, False])),
        accepts_accompanied_children=draw(st.sampled_from([True, True, False])),
        max_accompanying_boy_age=draw(st.sampled_from([None, 10, 14])),
        languages=draw(st.sampled_from([["sq"], ["sr"], ["sq", "en"]])),
        services=draw(st.sampled_from([[], ["legal"], ["interpretation", "medical"]])),
        wheelchair_accessible=draw(st.sampled_from([True, True, False])),
        # Some shelters have a public area: H6 then counts its radius and municipalities.
        location_radius_km=draw(st.sampled_from([0.0, 0.0, 3.0, 15.0])),
        area_municipalities=draw(st.sampled_from([[], [], ["a", "b"], ["c"]])),
    ) for k in range(count)]


@st.composite
def groups(draw):
    primary = person(draw(genders), draw(st.sampled_from([15, 30, 30])))
    others = [person(draw(genders), draw(st.sampled_from([8, 13, 16, 40])),
                     draw(st.sampled_from(["child", "adult"])))
              for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2])))]
    return [primary, *others]


@st.composite
def instances(draw, max_shelters=3, max_requests=4):
    network = draw(shelters(draw(st.integers(1, max_shelters))))
    queue = []
    count = draw(st.integers(1, max_requests))
    for k in range(count):
        suspects = [{"lat": 42.0 + draw(st.integers(0, 100)) / 100, "lon": 21.0,
                     "municipality": draw(st.sampled_from([None, "a"]))}
                    for _ in range(draw(st.sampled_from([0, 0, 0, 1])))]
        apart = [f"q{j}" for j in range(k) if draw(st.integers(0, 4)) == 0]
        queue.append(request(
            f"q{k}", persons=draw(groups()), category=draw(st.sampled_from(["thb", "dv", "dv"])),
            risk=draw(st.sampled_from(["low", "low", "medium", "high"])),
            urgency=draw(st.sampled_from(["routine", "urgent", "emergency"])),
            location={"lat": 42.0 + draw(st.integers(0, 100)) / 100, "lon": 21.1},
            languages=draw(st.sampled_from([["sq"], ["uk"]])),
            needs=draw(st.sampled_from([[], [], ["legal"], ["wheelchair", "medical"]])),
            suspects=suspects, keep_apart_from=apart,
            exclude_shelters=[s["id"] for s in network if draw(st.integers(0, 12)) == 0]))
    return build(network, queue)


def brute_force(instance):
    """The lexicographic optimum by trying every assignment of every request."""
    choices = [None] + [(s.id, r.id) for s in instance.shelters for r in s.rooms]
    best = None
    for pick in itertools.product(choices, repeat=len(instance.requests)):
        assignments = [Assignment(q.id, *c) for q, c in zip(instance.requests, pick, strict=True)
                       if c is not None]
        if violations(instance, assignments):
            continue
        o = evaluate(instance, assignments)
        key = (o.priority, o.fit, -o.travel_km)
        if best is None or key > best:
            best = key
    return best


@SETTINGS
@given(instances())
def test_solutions_validate_and_equal_brute_force(instance):
    solution = solve(instance, time_limit=10)
    assert check_solution(instance, solution) == []
    assert solution.status is Status.OPTIMAL
    o = solution.objective
    assert (o.priority, o.fit, -o.travel_km) == brute_force(instance)
    assert solution.bound_priority == o.priority


@SETTINGS
@given(instances(max_shelters=5, max_requests=10))
def test_greedy_and_cpsat_answers_validate_on_larger_instances(instance):
    exact = solve(instance, time_limit=10)
    greedy = solve(instance, method="greedy")
    assert check_solution(instance, exact) == []
    assert check_solution(instance, greedy) == []
    assert exact.objective.priority >= greedy.objective.priority
    assert greedy.bound_priority >= exact.objective.priority


@SETTINGS
@given(instances(max_shelters=3, max_requests=3))
def test_rank_options_are_each_placeable_alone(instance):
    for q in instance.requests:
        for option in rank_options(instance, q.id):
            assert violations(instance, [Assignment(q.id, option.shelter, option.room)]) == []


def rank_options(instance, request_id):
    from optimizer import rank

    return rank(instance, request_id).options


@SETTINGS
@given(instances(max_shelters=5, max_requests=8), st.integers(0, 255))
def test_batch_explanations_equal_rank_one_request_at_a_time(instance, keep):
    from optimizer.explain import explain_by_rank
    from optimizer.unassigned import explain_unassigned

    placed = solve(instance, method="greedy").assignments
    some = tuple(a for k, a in enumerate(placed) if keep >> (k % 8) & 1)
    assert explain_unassigned(instance, some) == explain_by_rank(instance, some)


@SETTINGS
@given(instances(max_shelters=5, max_requests=6))
def test_prepared_candidates_are_the_shelters_rank_offers(instance):
    _candidates_match_rank(instance)


def _candidates_match_rank(instance):
    from optimizer import rank
    from optimizer.prepare import prepare
    from optimizer.rules import fit, travel_km

    prepared = prepare(instance)
    for q, cands in zip(instance.requests, prepared.candidates, strict=True):
        offered = {o.shelter for o in rank(instance, q.id).options}
        assert {instance.shelters[s].id for s in cands.shelters} == offered
        for s, f, km in zip(cands.shelters, cands.fits, cands.travels, strict=True):
            assert (f, km) == (fit(q, instance.shelters[s]), travel_km(q, instance.shelters[s]))


def test_prepared_candidates_match_rank_on_generated_networks():
    from optimizer import instance_from_dict
    from optimizer.generate import generate

    for seed, variant in ((0, "scarce"), (1, "ample")):
        _candidates_match_rank(instance_from_dict(generate(40, 80, seed, variant=variant)))
