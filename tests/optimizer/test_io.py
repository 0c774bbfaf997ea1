"""The file format: round trips, and every kind of bad file refused with the path named."""

import json

import pytest

from optimizer import (
    InstanceError,
    instance_from_dict,
    instance_to_dict,
    load_instance,
    solution_to_dict,
    solve,
)
from optimizer.generate import generate

from .factory import instance_dict, occupant, person, request, room, shelter


def test_generated_instance_round_trips_through_json(tmp_path):
    data = generate(6, 12, seed=3, variant="scarce")
    instance = instance_from_dict(data)
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(instance_to_dict(instance)))
    again = load_instance(path)
    assert again == instance
    assert instance_to_dict(again) == instance_to_dict(instance)


def test_solution_serialises_to_the_contract_fields():
    instance = instance_from_dict(generate(8, 10, seed=1, preset="kosovo"))
    data = solution_to_dict(solve(instance, time_limit=5))
    assert set(data) >= {"status", "objective", "bound", "wall_time_s", "assignments",
                         "unassigned"}
    assert set(data["objective"]) == {"priority", "fit", "travel_km"}
    assert set(data["bound"]) == {"priority"}
    json.dumps(data)
    for item in data["unassigned"]:
        assert set(item) == {"request", "excluded", "relaxations"}
        for exclusion in item["excluded"]:
            assert {"shelter", "rules"} <= set(exclusion)


def test_policy_overrides_merge_with_the_defaults():
    instance = instance_from_dict(instance_dict(
        [shelter()], [request()], policy={"min_suspect_distance_km": {"high": 50}}))
    assert instance.policy.min_suspect_distance_km == {"low": 10, "medium": 20, "high": 50}
    assert instance.policy.urgency_weights["emergency"] == 4


def _bad(mutate):
    data = instance_dict([shelter("s1"), shelter("s2")],
                         [request("q1"), request("q2", persons=[person(), person("male", 9,
                                                                                 "child")])])
    mutate(data)
    with pytest.raises(InstanceError) as error:
        instance_from_dict(data)
    return str(error.value)


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda d: d["requests"][1]["persons"][1].update(age=121),
     "requests[1].persons[1].age: must be 0..120"),
    (lambda d: d["requests"][1]["persons"][1].update(age=-1),
     "requests[1].persons[1].age: must be 0..120"),
    (lambda d: d["requests"][0].update(nickname="x"), "requests[0].nickname: unknown field"),
    (lambda d: d.update(extra=1), "extra: unknown field"),
    (lambda d: d["shelters"][0]["rooms"][0].update(colour="red"),
     "shelters[0].rooms[0].colour: unknown field"),
    (lambda d: d["requests"][0].update(risk="extreme"),
     "requests[0].risk: must be one of low, medium, high"),
    (lambda d: d["shelters"][1].update(kind="hotel"), "shelters[1].kind: must be one of"),
    (lambda d: d["shelters"][0]["rooms"][0].update(kind="suite"),
     "shelters[0].rooms[0].kind: must be one of"),
    (lambda d: d["requests"][0]["persons"][0].update(gender="x"),
     "requests[0].persons[0].gender: must be one of"),
    (lambda d: d["shelters"][1].update(id="s1"), "shelters[1].id: duplicate id 's1'"),
    (lambda d: d["requests"][1].update(id="q1"), "requests[1].id: duplicate id 'q1'"),
    (lambda d: d["requests"][0].update(keep_apart_from=["q9"]),
     "requests[0].keep_apart_from[0]: unknown request 'q9'"),
    (lambda d: d["requests"][1].update(exclude_shelters=["s9"]),
     "requests[1].exclude_shelters[0]: unknown shelter 's9'"),
    (lambda d: d["shelters"][0].update(rooms=[room("a"), room("a")]),
     "shelters[0].rooms[1].id: duplicate room id 'a'"),
    (lambda d: d["shelters"][0].update(rooms=[room(beds=1, occupants=[occupant()], held=1)]),
     "shelters[0].rooms[0].occupants: occupants plus held beds exceed beds"),
    (lambda d: d["shelters"][0].update(rooms=[room(beds=1, occupants=[occupant(), occupant()])]),
     "shelters[0].rooms[0].occupants: occupants plus held beds exceed beds"),
    (lambda d: d["requests"][0].pop("category"), "requests[0].category: is required"),
    (lambda d: d["requests"][0].update(persons=[]), "requests[0].persons: must not be empty"),
    (lambda d: d["requests"][0]["location"].update(lat=91), "requests[0].location.lat:"),
    (lambda d: d["shelters"][0].update(wheelchair_accessible="yes"),
     "shelters[0].wheelchair_accessible: must be true or false"),
    (lambda d: d["shelters"][0]["rooms"][0]["occupants"].append({"gender": "female"}),
     "shelters[0].rooms[0].occupants[0].age: is required"),
    (lambda d: d["requests"][0].update(keep_apart_from=["q1"]),
     "requests[0].keep_apart_from: a request cannot be kept apart from itself"),
    (lambda d: d["requests"][0]["persons"].append(person()),
     "requests[0].persons: must have exactly one person with role primary"),
    (lambda d: d["policy"].update(urgency_weights={"routine": "high"}),
     "policy.urgency_weights.routine: must be an integer"),
    (lambda d: d["policy"].update(min_suspect_distance_km={"extreme": 5}),
     "policy.min_suspect_distance_km: must have exactly the keys"),
    (lambda d: d["shelters"][0]["rooms"][0].update(beds=True), "shelters[0].rooms[0].beds:"),
])
def test_bad_instances_are_refused_naming_the_path(mutate, expected):
    assert _bad(mutate).startswith(expected)


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(InstanceError, match="not valid JSON"):
        load_instance(path)
