"""The LP relaxation of a stage, solved with GLOP: its bound, its solution, its reduced costs.

The placement LP is nearly tight (mostly a transportation problem), so the LP value proves most
stages at once and the reduced costs tell which pairs can still matter (`keep_columns`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.linear_solver import linear_solver_pb2, pywraplp

from .model import LinearModel

EPS = 1e-6


@dataclass
class LpResult:
    value: float
    x: list[float]
    reduced: list[float]


def solve_lp(model: LinearModel, objective: list[int],
             floors: list[tuple[list[int], int]], seconds: float) -> LpResult | None:
    """Maximise `objective` (over pair variables) subject to the model's rows and, for each
    (coefs, floor) in `floors`, coefs . x >= floor. None when GLOP does not finish in time."""
    proto = linear_solver_pb2.MPModelProto()
    proto.maximize = True
    pairs = len(model.pairs)
    for j, ub in enumerate(model.ub):
        var = proto.variable.add()
        var.lower_bound = 0.0
        var.upper_bound = float(ub)
        if j < pairs:
            var.objective_coefficient = float(objective[j])
    for indices, coefs, ub in model.rows:
        row = proto.constraint.add()
        row.var_index.extend(indices)
        row.coefficient.extend(float(c) for c in coefs)
        row.lower_bound = -float("inf")
        row.upper_bound = float(ub)
    for coefs, floor in floors:
        row = proto.constraint.add()
        nonzero = [(j, c) for j, c in enumerate(coefs) if c]
        row.var_index.extend(j for j, _ in nonzero)
        row.coefficient.extend(float(c) for _, c in nonzero)
        row.lower_bound = float(floor)
        row.upper_bound = float("inf")
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if solver is None or solver.LoadModelFromProto(proto):
        return None
    solver.SetTimeLimit(max(1, int(seconds * 1000)))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    variables = solver.variables()
    return LpResult(solver.Objective().Value(), [v.solution_value() for v in variables],
                    [v.reduced_cost() for v in variables])


def integral(values: list[float]) -> bool:
    return all(abs(v - round(v)) <= EPS for v in values)


def keep_columns(lp: LpResult, pairs: int, incumbent: int) -> list[int]:
    """Pair variables that may take 1 in a solution better than `incumbent` (an integer value).

    Forcing x_j from 0 to 1 costs at least its reduced cost: if lp.value + reduced_j cannot
    reach incumbent + 1, x_j is 0 in every better solution.
    """
    target = incumbent + 1 - 1e-4
    return [j for j in range(pairs) if lp.x[j] > EPS or lp.value + lp.reduced[j] >= target]
