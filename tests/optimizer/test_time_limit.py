"""`time_limit` covers the whole solve: the time spent before CP-SAT starts (reading, preparing,
building the model) comes out of what CP-SAT is given, and CP-SAT gets its budget both in
wall-clock and in deterministic time. A fake clock stands in for the machine: it moves only
when the test says work took time, so nothing here depends on the machine's speed."""

import importlib
import time

import pytest
from ortools.sat.python import cp_model

from optimizer import Status, instance_from_dict, solve
from optimizer.generate import generate

# The module, not the function `optimizer.solve` that the package exports under its name.
solve_module = importlib.import_module("optimizer.solve")

# 8 shelters, 30 requests, seed 1: a batch whose optimum needs CP-SAT (three calls).
INSTANCE = (8, 30, 1)


class FakeClock:
    """Starts far from time.monotonic(), so that a deadline read against the real clock
    instead of this one would give CP-SAT a budget of about a million seconds."""

    def __init__(self):
        self.now = time.monotonic() + 1e6

    def __call__(self):
        return self.now


@pytest.fixture
def cp_sat_spends_its_budget(monkeypatch):
    """Every CP-SAT call advances the clock by the whole wall-clock budget it was handed (the
    worst case: a search that never finishes early), and its parameters are kept."""
    clock, handed = FakeClock(), []
    real_solve = cp_model.CpSolver.solve

    def spending(self, model, *args, **kwargs):
        budget = self.parameters.max_time_in_seconds
        handed.append((clock(), budget, self.parameters.max_deterministic_time))
        status = real_solve(self, model, *args, **kwargs)
        clock.now += budget
        return status

    monkeypatch.setattr(cp_model.CpSolver, "solve", spending)
    return clock, handed


def test_the_whole_solve_stays_within_the_limit_when_cp_sat_uses_all_it_is_given(
        cp_sat_spends_its_budget):
    clock, handed = cp_sat_spends_its_budget
    instance = instance_from_dict(generate(*INSTANCE))
    solution = solve(instance, time_limit=5.0, clock=clock)
    assert handed, "this batch is meant to reach CP-SAT"
    assert solution.wall_time_s <= 5.0
    assert solution.status in (Status.OPTIMAL, Status.FEASIBLE)


def test_cp_sat_gets_its_budget_in_deterministic_time_too(cp_sat_spends_its_budget):
    clock, handed = cp_sat_spends_its_budget
    started = clock()
    solve(instance_from_dict(generate(*INSTANCE)), time_limit=5.0, clock=clock)
    for at, wall, deterministic in handed:
        assert 0 < wall <= 5.0 - (at - started)
        assert deterministic == wall


def test_a_slow_model_build_comes_out_of_cp_sat_s_time(cp_sat_spends_its_budget, monkeypatch):
    clock, handed = cp_sat_spends_its_budget
    real_build = solve_module.build_model

    def slow_build(*args, **kwargs):
        model = real_build(*args, **kwargs)
        clock.now += 4.0  # building the model took 4 of the 5 seconds
        return model

    monkeypatch.setattr(solve_module, "build_model", slow_build)
    started = clock()
    solution = solve(instance_from_dict(generate(*INSTANCE)), time_limit=5.0, clock=clock,
                     started=started)
    assert handed
    first_at, first_budget, _ = handed[0]
    assert first_at - started >= 4.0
    assert first_budget <= 1.0
    assert solution.wall_time_s <= 5.0


def test_a_slow_preparation_keeps_as_much_again_back_for_the_explanations(
        cp_sat_spends_its_budget, monkeypatch):
    """On a loaded machine preparing is slow, and so will filling and explaining the answer be:
    the search ends early enough to leave them half as much again as preparing took."""
    clock, handed = cp_sat_spends_its_budget
    real_prepare = solve_module.prepare

    def slow_prepare(instance):
        prepared = real_prepare(instance)
        clock.now += 1.0
        return prepared

    monkeypatch.setattr(solve_module, "prepare", slow_prepare)
    started = clock()
    solve(instance_from_dict(generate(*INSTANCE)), time_limit=10.0, clock=clock,
          started=started)
    assert handed
    last_at, last_budget, _ = handed[-1]
    assert last_at + last_budget <= started + 10.0 - 1.5
