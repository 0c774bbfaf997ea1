"""The linear model solved lexicographically with CP-SAT: L1, then L2 with L1 fixed, then L3.

One worker and a fixed seed, so an unhurried solve gives the same answer for the same input.
Values are read only when CP-SAT reports a solution (OPTIMAL or FEASIBLE); otherwise the stage
keeps the previous answer, which is always a valid one (the greedy hint to begin with).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .model import LinearModel

_SOLVED = (cp_model.OPTIMAL, cp_model.FEASIBLE)


@dataclass
class StageResult:
    """What a lexicographic run reached: values, per-stage proofs and the L1 bound."""

    values: list[int]
    proven: list[bool]
    bound_priority: int


class LexicographicCpSat:
    """Builds one CP-SAT model and runs the three stages on it."""

    def __init__(self, model: LinearModel, hint: list[int], trivial_bound: int,
                 stop: threading.Event | None = None):
        self.model = model
        self.trivial_bound = trivial_bound
        self.values = list(hint)
        self.stop = stop
        self.cp = cp_model.CpModel()
        self.vars = [self.cp.new_bool_var("") if ub == 1 else self.cp.new_int_var(0, ub, "")
                     for ub in model.ub]
        for indices, coefs, ub in model.rows:
            self.cp.add(cp_model.LinearExpr.weighted_sum([self.vars[i] for i in indices], coefs)
                        <= ub)
        # build_model creates every pair variable before any pattern variable
        self.pairs = self.vars[:len(model.pairs)]

    def _expr(self, coefs: list[int]):
        return cp_model.LinearExpr.weighted_sum(self.pairs, coefs)

    def run(self, deadline: float) -> StageResult:
        model = self.model
        proven = []
        bound = self.trivial_bound  # nothing beats placing every request of the component
        stages = ((model.priority, True), (model.fit, True), (model.travel, False))
        for number, (coefs, maximise) in enumerate(stages):
            remaining = deadline - time.monotonic()
            if remaining <= 0.01 or (self.stop is not None and self.stop.is_set()):
                proven.extend([False] * (3 - number))
                break
            share = remaining * (0.6 if number == 0 else 0.5 if number == 1 else 1.0)
            status, best_bound = self._stage(coefs, maximise, share)
            proven.append(status == cp_model.OPTIMAL)
            if number == 0 and status in _SOLVED:
                bound = min(bound, int(best_bound + 1e-6))
            achieved = self._objective(coefs)
            expr = self._expr(coefs)
            self.cp.add(expr >= achieved if maximise else expr <= achieved)
        return StageResult(self.values, proven, bound)

    def _objective(self, coefs: list[int]) -> int:
        return sum(c * v for c, v in zip(coefs, self.values, strict=False))

    def _stage(self, coefs: list[int], maximise: bool, seconds: float):
        expr = self._expr(coefs)
        if maximise:
            self.cp.maximize(expr)
        else:
            self.cp.minimize(expr)
        self.cp.clear_hints()
        for var, value in zip(self.vars, self.values, strict=True):
            self.cp.add_hint(var, value)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = 0
        solver.parameters.max_time_in_seconds = max(0.01, seconds)
        status = self._solve_watched(solver)
        if status in _SOLVED:
            self.values = [int(v) for v in solver.values(self.vars)]
        return status, solver.best_objective_bound

    def _solve_watched(self, solver: cp_model.CpSolver):
        if self.stop is None:
            return solver.solve(self.cp)
        done = threading.Event()

        def watch():
            while not done.is_set():
                if self.stop.wait(0.02):
                    solver.stop_search()
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            return solver.solve(self.cp)
        finally:
            done.set()
            watcher.join()
