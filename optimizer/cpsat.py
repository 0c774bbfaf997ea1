"""The lexicographic solve: L1, then L2 with L1 held, then L3 with L1 and L2 held.

Each stage first solves its LP relaxation (GLOP). An integral LP optimum is the stage optimum;
otherwise CP-SAT searches sub-models: first over the LP's support and the incumbent (to find a
good solution fast), then down from the LP bound over the pairs whose reduced cost lets them
reach a target (the sub-model's optimum is global if it reaches the target; if not, the bound
drops below it), until the incumbent meets the bound. Pairs that cannot meet an earlier stage's
floor are dropped for the later stages. CP-SAT runs with one worker and a fixed seed; values are
read only when it reports a solution, so a stage interrupted by the clock or a stop keeps the
previous valid answer."""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from .lp import EPS, StageLp, integral
from .model import LinearModel

_SOLVED = (cp_model.OPTIMAL, cp_model.FEASIBLE)
log = logging.getLogger(__name__)
_MAX_BLIND_COLUMNS = 50_000  # without an LP, CP-SAT gets the whole model only up to this size
_NEAR_RANK = 12  # columns per request tried first at a degenerate bound (see `_near_best`)


@dataclass
class StageResult:
    """What a lexicographic run reached: values, per-stage proofs and the L1 bound."""

    values: list[int]
    proven: list[bool]
    bound_priority: int


class LexicographicSolver:
    """Runs the three stages on one model, starting from a valid hint."""

    def __init__(self, model: LinearModel, hint: list[int], trivial_bound: int,
                 stop: threading.Event | None = None, clock=time.monotonic):
        self.model = model
        # The caller's clock: deadlines are its readings, so the time already spent (reading,
        # preparing, building this model) counts against the same limit.
        self.clock = clock
        self.values = list(hint)
        self.trivial_bound = trivial_bound
        self.stop = stop
        self.floors: list[tuple[list[int], int]] = []
        self.lp: StageLp | None = None
        # Pairs that can still be 1 in a solution meeting every floor (see `_retire`).
        self.alive = np.ones(len(model.pairs), dtype=bool)
        first: dict[int, int] = {}
        self.rank = np.array([j - first.setdefault(r, j) for j, (r, _) in enumerate(model.pairs)],
                             dtype=np.int64)
        self._rows = [(np.asarray(indices, dtype=np.int64), np.asarray(coefs, dtype=np.int64), ub)
                      for indices, coefs, ub in model.rows]

    def _stopped(self, deadline: float) -> bool:
        return self.clock() >= deadline or (self.stop is not None and self.stop.is_set())

    def run(self, deadline: float) -> StageResult:
        model = self.model
        proven: list[bool] = []
        bound = self.trivial_bound
        stages = (model.priority, model.fit, [-t for t in model.travel])
        for number, coefs in enumerate(stages):
            if self._stopped(deadline):
                proven.extend([False] * (3 - number))
                break
            now = self.clock()
            share = (0.5, 0.6, 1.0)[number]
            ok, stage_bound = self._stage(coefs, now + (deadline - now) * share)
            proven.append(ok)
            if number == 0 and stage_bound is not None:
                bound = max(min(bound, stage_bound), self._value(coefs))
            self.floors.append((list(coefs), self._value(coefs)))
            self._retire()
        return StageResult(self.values, proven, bound)

    def _value(self, coefs: list[int]) -> int:
        pairs = len(coefs)
        return int(np.dot(np.asarray(coefs, dtype=np.int64),
                          np.asarray(self.values[:pairs], dtype=np.int64)))

    def _stage(self, coefs: list[int], deadline: float) -> tuple[bool, int | None]:
        """Improve `self.values` for this stage; (proven optimal, upper bound on the stage)."""
        pairs = len(self.model.pairs)
        self.last_lp = None
        if self.lp is None:
            self.lp = StageLp(self.model)
        lp = self.lp.solve(coefs, self.floors, deadline - self.clock(), self.alive)
        self.last_lp = lp
        log.debug("stage %d: lp %s incumbent %d fractional %s", len(self.floors) + 1,
                  lp and round(lp.value, 3), self._value(coefs),
                  lp and int(np.sum(np.abs(lp.x - np.round(lp.x)) > EPS)))
        if lp is None:
            if pairs > _MAX_BLIND_COLUMNS or self._stopped(deadline):
                return False, None  # building a model this big would overrun the clock
            return self._cp(np.nonzero(self.alive)[0].tolist(), coefs, deadline)
        bound = math.floor(lp.value + EPS)
        if integral(lp.x) and self._feasible(np.round(lp.x).astype(int).tolist()):
            self.values = np.round(lp.x).astype(int).tolist()
            return True, bound
        if self._value(coefs) >= bound:
            return True, bound
        x, reduced = lp.x[:pairs], lp.reduced[:pairs]
        # Dive: hold the LP's whole pairs, let CP-SAT settle the fractional rest.
        support = np.nonzero(x > EPS)[0]
        self._cp(support.tolist(), coefs, deadline, bound,
                 fixed=np.nonzero(x > 1 - EPS)[0].tolist(), hint=False)
        if self._value(coefs) < bound and not self._stopped(deadline):
            self._cp(np.union1d(support, self._chosen(pairs)).tolist(), coefs, deadline, bound)
        # Descend from the bound: the pairs whose reduced cost lets them reach `target` hold
        # every solution worth `target` or more, so the optimum over them is global if it
        # reaches `target`; if it does not, no solution does, and the bound drops below it.
        # Near the bound these sets are small (the LP is nearly tight). The target never goes
        # below one more than the incumbent (that set already settles the stage), and a step
        # that does not improve the incumbent goes straight there.
        self._near_best(x, lp.value + reduced, coefs, deadline, bound)
        slack = 0
        while self._value(coefs) < bound and not self._stopped(deadline):
            before = self._value(coefs)
            target = max(bound - slack, before + 1)
            keep = np.nonzero(((x > EPS) | (lp.value + reduced >= target - 1e-4)) & self.alive)[0]
            if len(keep) > _MAX_BLIND_COLUMNS:
                break  # building it alone would take seconds: leave the time to later stages
            ok, _ = self._cp(np.union1d(keep, self._chosen(pairs)).tolist(), coefs, deadline,
                             bound, better=True)
            if not ok:
                break
            if self._value(coefs) >= target:
                return True, self._value(coefs)
            bound = target - 1
            slack = math.inf if self._value(coefs) == before else \
                max(1, 2 * slack, (bound - self._value(coefs)) // 16)
        return self._value(coefs) >= bound, bound

    def _near_best(self, x, reach, coefs, deadline, bound) -> None:
        """A solution at the bound ends the stage whatever columns it came from. When the LP
        is degenerate the pairs that could reach the bound are most of the model; first try
        those among each request's best shelters (its candidate order)."""
        if self._value(coefs) >= bound or self._stopped(deadline):
            return
        pairs = len(self.model.pairs)
        at_bound = (reach >= bound - 1e-4) & self.alive
        near = at_bound & (self.rank < _NEAR_RANK)
        if not 2 * np.count_nonzero(near) <= np.count_nonzero(at_bound) or \
                np.count_nonzero(near) > _MAX_BLIND_COLUMNS:
            return
        keep = np.nonzero(near | (x > EPS))[0]
        self._cp(np.union1d(keep, self._chosen(pairs)).tolist(), coefs, deadline, bound,
                 better=True)

    def _retire(self) -> None:
        """Drop the pairs that cannot be 1 in any solution meeting the floor just set.

        For every x within the rows (and earlier floors), objective . x <= LP value + the
        pair's reduced cost when the pair is 1; a pair for which that falls short of the floor
        is 0 in every solution the later stages may return. The margin absorbs GLOP's tolerance
        (the objectives are integers).
        """
        lp, (_, floor) = self.last_lp, self.floors[-1]
        if lp is None:
            return
        pairs = len(self.model.pairs)
        reachable = (lp.x[:pairs] > EPS) | (lp.value + lp.reduced[:pairs] >= floor - 1e-3)
        self.alive &= reachable
        self.alive[self._chosen(pairs)] = True  # the incumbent meets the floor by definition

    def _chosen(self, pairs: int) -> np.ndarray:
        return np.nonzero(np.asarray(self.values[:pairs]))[0]

    def _feasible(self, values: list[int]) -> bool:
        if any(v < 0 or v > ub for v, ub in zip(values, self.model.ub, strict=True)):
            return False
        if any(sum(c * values[i] for i, c in zip(idx, co, strict=True)) > ub
               for idx, co, ub in self.model.rows):
            return False
        return all(sum(c * v for c, v in zip(co, values, strict=False)) >= floor
                   for co, floor in self.floors)

    def _cp(self, columns, coefs: list[int], deadline: float, bound: int | None = None,
            fixed: list[int] = (), hint: bool = True,
            better: bool = False) -> tuple[bool, int | None]:
        """CP-SAT over the given pair columns (others held at 0) and every pattern variable.
        Returns (proven optimal over those columns, its bound).

        `better` asks only for solutions above the incumbent, without a hint: the floor prunes
        more than a hint helps (measured), and an infeasible answer proves that no solution
        over those columns beats the incumbent."""
        model = self.model
        pairs = len(model.pairs)
        inside = np.zeros(model.num_vars, dtype=bool)
        inside[np.asarray(columns, dtype=np.int64)] = True
        inside[pairs:] = True
        order = np.nonzero(inside)[0]
        cp = cp_model.CpModel()
        var: list = [None] * model.num_vars
        for j in order.tolist():
            ub = model.ub[j]
            var[j] = cp.new_bool_var("") if ub == 1 else cp.new_int_var(0, ub, "")
        for indices, row_coefs, ub in self._rows:
            mask = inside[indices]
            if mask.any():
                cp.add(_weighted(var, indices[mask], row_coefs[mask]) <= ub)
        for row_coefs, floor in self.floors:
            cp.add(_weighted_dense(var, row_coefs, inside) >= floor)
        objective = _weighted_dense(var, coefs, inside)
        cp.maximize(objective)
        if bound is not None:
            cp.add(objective <= bound)
        if better:
            cp.add(objective >= self._value(coefs) + 1)
            hint = False
        for j in fixed:
            cp.add(var[j] == 1)
        if hint:
            for j in order.tolist():
                cp.add_hint(var[j], self.values[j])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = 0
        solver.parameters.linearization_level = 2  # the LP is nearly tight: use it fully
        # Probing in presolve cost more than it saved on these column sets (measured: the
        # exact L3 solve at national scale, 2.2 s with it, 1.2 s without).
        solver.parameters.cp_model_probing_level = 0
        # What is left of the limit once this model is built. The wall-clock limit is the
        # hard one; the same budget in deterministic time (CP-SAT's measure of work, about a
        # second each) makes a search that fits stop at the same point however loaded the
        # machine is.
        left = max(0.01, deadline - self.clock())
        solver.parameters.max_time_in_seconds = left
        solver.parameters.max_deterministic_time = left
        status = self._solve_watched(solver, cp)
        log.debug("cp-sat over %d columns: %s %s bound %s in %.2fs", len(columns),
                  solver.status_name(status), solver.objective_value, solver.best_objective_bound,
                  solver.wall_time)
        if better and status == cp_model.INFEASIBLE:
            return True, self._value(coefs)
        if status not in _SOLVED:
            return False, None
        found = np.zeros(model.num_vars, dtype=np.int64)
        found[order] = [solver.value(var[j]) for j in order.tolist()]
        if np.dot(np.asarray(coefs[:pairs], dtype=np.int64), found[:pairs]) >= self._value(coefs):
            self.values = found.tolist()
        return status == cp_model.OPTIMAL, math.floor(solver.best_objective_bound + EPS)

    def _solve_watched(self, solver: cp_model.CpSolver, cp: cp_model.CpModel):
        if self.stop is None:
            return solver.solve(cp)
        done = threading.Event()

        def watch():
            while not done.is_set():
                if self.stop.wait(0.02):
                    solver.stop_search()
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            return solver.solve(cp)
        finally:
            done.set()
            watcher.join()


def _weighted(var: list, indices: np.ndarray, coefs: np.ndarray):
    return cp_model.LinearExpr.weighted_sum([var[i] for i in indices.tolist()], coefs.tolist())


def _weighted_dense(var: list, coefs: list[int], inside: np.ndarray):
    """The sum of coefs[j] * var[j] over the pair columns inside the model."""
    dense = np.asarray(coefs, dtype=np.int64)
    indices = np.nonzero((dense != 0) & inside[:len(dense)])[0]
    return _weighted(var, indices, dense[indices])
