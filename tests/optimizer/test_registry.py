"""One registry of rules: each rule lives once, and a waiver travels in the instance."""

import ast
import json
import re
from pathlib import Path

import pytest

import optimizer
from optimizer import InstanceError, check_solution, instance_from_dict, rank, solve
from optimizer.explain import explain_by_rank
from optimizer.generate import generate
from optimizer.io import instance_to_dict, solution_to_dict
from optimizer.registry import OVERRIDABLE, RULE_CODES, RULES
from optimizer.types import Request, Room, Shelter
from optimizer.unassigned import explain_unassigned
from tests.optimizer.factory import request, room, shelter

PACKAGE = Path(optimizer.__file__).parent


def test_each_rule_is_one_object_with_its_fields_declared():
    assert RULE_CODES == ("H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8")
    assert OVERRIDABLE == ("H3", "H4", "H6", "H7", "H8")
    people = Request.__dict__ | {f: None for f in Request.__dataclass_fields__}
    places = Shelter.__dict__ | {f: None for f in Shelter.__dataclass_fields__}
    for rule in RULES:
        assert rule.request_reads, rule.code
        assert set(rule.request_reads) <= set(people), rule.code
        assert set(rule.shelter_reads) <= set(places), rule.code
        assert set(rule.room_reads) <= set(Room.__dataclass_fields__) | {"free"}, rule.code


def test_no_rule_sentence_is_written_outside_its_rule():
    """A string that starts like a rule's sentence ("H6: ...") lives only in optimizer/hard/."""
    sentence = re.compile(r"^H\d: ")
    found = []
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and sentence.match(node.value):
                found.append(f"{path.name}: {node.value}")
    assert found == []


def test_no_module_outside_the_registry_names_a_rule_by_its_code():
    """Batch, model build, greedy, explanations and validator ask the registry for its rules
    ("for rule in PLACE") rather than singling one out by code ("H6"), which would restate it;
    so do the service's workflow modules (a hold's 409, unmet need's capacity-only count)."""
    code = re.compile(r"^H\d$")
    found = []
    services = PACKAGE.parent / "placement" / "services"
    for path in (*PACKAGE.glob("*.py"), *services.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and code.match(node.value):
                found.append(f"{path.name}: {node.value}")
    assert found == []


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_optimizer_modules_import_each_other_without_a_cycle():
    graph = {p.stem: _imports(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    graph["types"].discard("registry")  # a lazy import inside one function (see _waivers)
    done, active = set(), []

    def visit(name):
        assert name not in active, " -> ".join(active + [name])
        if name in done or name not in graph:
            return
        active.append(name)
        for other in graph[name]:
            visit(other)
        active.pop()
        done.add(name)

    for name in graph:
        visit(name)


def _dv_man_at_thb(waived=None):
    """A DV request from a man: H3 excludes the THB shelter, nothing else does."""
    asked = request("q", category="dv", persons=[{"gender": "male", "age": 30, "role": "primary"}])
    if waived is not None:
        asked["waived"] = waived
    home = shelter("s", kind="thb", gender_policy="any",
                   rooms=[room("a", kind="adult", gender="male", beds=2)])
    return instance_from_dict({"shelters": [home], "requests": [asked]})


def test_a_waived_rule_is_skipped_by_rank_solve_validator_and_explanations():
    strict = _dv_man_at_thb()
    assert [e.rules for e in rank(strict, "q").excluded] == [("H3",)]
    assert solve(strict, time_limit=2).assignments == ()

    waived = _dv_man_at_thb(["H3"])
    assert [o.shelter for o in rank(waived, "q").options] == ["s"]
    solution = solve(waived, time_limit=2)
    assert [(a.request, a.shelter) for a in solution.assignments] == [("q", "s")]
    assert check_solution(waived, solution) == []
    assert check_solution(strict, solution) != []  # the same answer breaks H3 without it


def test_waivers_are_validated_with_their_path():
    for bad, problem in ((["H1"], "waived[0]"), (["H99"], "waived[0]"), (["H3", "H3"], "waived"),
                         ("H3", "waived")):
        with pytest.raises(InstanceError) as error:
            _dv_man_at_thb(bad)
        assert error.value.path == f"requests[0].{problem}", bad


def test_an_h7_waiver_lifts_the_pair_for_both_requests():
    partner = request("p", keep_apart_from=["q"], waived=["H7"])
    data = {"shelters": [shelter("s", rooms=[room("a", beds=2)])],
            "requests": [request("q"), partner]}
    instance = instance_from_dict(data)
    assert instance.keep_apart["q"] == frozenset()
    assert len(solve(instance, time_limit=2).assignments) == 2


def test_batch_explanations_honour_waivers_as_rank_does():
    data = generate(30, 80, seed=3)
    for k, asked in enumerate(data["requests"]):
        asked["waived"] = [("H3",), ("H4", "H6"), ("H8",), ()][k % 4]
    instance = instance_from_dict(data)
    assert explain_unassigned(instance, ()) == explain_by_rank(instance, ())


def test_a_file_without_waivers_solves_exactly_as_before():
    data = generate(12, 40, seed=5)
    instance = instance_from_dict(data)
    assert "waived" not in json.dumps(instance_to_dict(instance))
    explicit = json.loads(json.dumps(data))
    for asked in explicit["requests"]:
        asked["waived"] = []
    again = instance_from_dict(explicit)
    assert again == instance

    def answer(inst):
        found = solution_to_dict(solve(inst, time_limit=5))
        found.pop("wall_time_s")
        return found

    assert answer(again) == answer(instance)
