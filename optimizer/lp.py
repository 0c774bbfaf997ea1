"""The LP relaxation of a stage, solved with GLOP: its bound, its solution, its reduced costs.

The placement LP is nearly tight (mostly a transportation problem), so the LP value proves most
stages at once and the reduced costs tell which pairs can still matter (`keep_columns`).

The model's variables and rows are written into a protocol buffer once; each stage copies it and
adds only its objective (through one extra variable `y = objective . x`, so the per-variable
objective coefficients never have to be rewritten) and the floors of the earlier stages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import linear_solver_pb2, pywraplp

from .model import LinearModel

EPS = 1e-6
_INF = float("inf")


@dataclass
class LpResult:
    value: float
    x: np.ndarray
    reduced: np.ndarray


class StageLp:
    """GLOP over one model's LP relaxation, for any objective and floors over the pair vars."""

    def __init__(self, model: LinearModel):
        self.model = model
        proto = linear_solver_pb2.MPModelProto()
        proto.maximize = True
        for ub in model.ub:
            proto.variable.add(lower_bound=0.0, upper_bound=float(ub))
        proto.variable.add(lower_bound=-_INF, upper_bound=_INF, objective_coefficient=1.0)
        for indices, coefs, ub in model.rows:
            proto.constraint.add(var_index=indices, coefficient=[float(c) for c in coefs],
                                 lower_bound=-_INF, upper_bound=float(ub))
        self.base = proto

    def solve(self, objective: list[int], floors: list[tuple[list[int], int]],
              seconds: float, alive: np.ndarray | None = None) -> LpResult | None:
        """Maximise `objective` subject to the rows and, for each (coefs, floor) in `floors`,
        coefs . x >= floor, with the pairs not `alive` held at 0. None when GLOP does not
        finish in time."""
        request = linear_solver_pb2.MPModelRequest(
            solver_type=linear_solver_pb2.MPModelRequest.GLOP_LINEAR_PROGRAMMING,
            solver_time_limit_seconds=max(0.001, seconds))
        proto = request.model
        proto.CopyFrom(self.base)
        y = self.model.num_vars
        if alive is not None:
            for j in np.nonzero(~alive)[0].tolist():
                proto.variable[j].upper_bound = 0.0
        index, coefs = _sparse(objective)
        proto.constraint.add(var_index=[*index, y], coefficient=[*(-c for c in coefs), 1.0],
                             lower_bound=0.0, upper_bound=0.0)
        for row, floor in floors:
            index, coefs = _sparse(row)
            proto.constraint.add(var_index=index, coefficient=coefs, lower_bound=float(floor),
                                 upper_bound=_INF)
        response = linear_solver_pb2.MPSolutionResponse()
        pywraplp.Solver.SolveWithProto(request, response)
        if response.status != linear_solver_pb2.MPSOLVER_OPTIMAL:
            return None
        return LpResult(response.objective_value, np.array(response.variable_value[:y]),
                        np.array(response.reduced_cost[:y]))


def _sparse(coefs: list[int]) -> tuple[list[int], list[float]]:
    dense = np.asarray(coefs, dtype=float)
    index = np.nonzero(dense)[0]
    return index.tolist(), dense[index].tolist()


def integral(values: np.ndarray) -> bool:
    return bool(np.all(np.abs(values - np.round(values)) <= EPS))
