"""The same class-level model solved lexicographically as a MIP by HiGHS, in its own process.

Run as `python -m bench.highs_run INSTANCE.json TIME_LIMIT`; prints one JSON line. The ortools
and highspy wheels crash when loaded into one process, so this module never imports ortools.
"""

from __future__ import annotations

import json
import sys
import time

import highspy
import numpy as np

from optimizer.io import load_instance
from optimizer.model import build_model
from optimizer.prepare import prepare
from optimizer.solve import needed_shelters


def _highs(model, stages, deadline):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    n = model.num_vars
    inf = highspy.kHighsInf
    h.addVars(n, np.zeros(n), np.array(model.ub, dtype=float))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                            np.array([highspy.HighsVarType.kInteger] * n))
    if model.rows:
        starts = np.cumsum([0] + [len(indices) for indices, _, _ in model.rows[:-1]])
        h.addRows(len(model.rows), np.full(len(model.rows), -inf),
                  np.array([ub for _, _, ub in model.rows], dtype=float),
                  int(sum(len(indices) for indices, _, _ in model.rows)),
                  starts.astype(np.int32),
                  np.concatenate([np.array(i, dtype=np.int32) for i, _, _ in model.rows]),
                  np.concatenate([np.array(c, dtype=float) for _, c, _ in model.rows]))
    pairs = len(model.pairs)
    values, proven, bound = None, [], None
    for number, coefs in enumerate(stages):
        left = deadline - time.monotonic()
        if left <= 0:
            proven += [False] * (3 - number)
            break
        h.setOptionValue("time_limit", left)
        cost = np.zeros(n)
        cost[:pairs] = coefs
        h.changeColsCost(n, np.arange(n, dtype=np.int32), -cost)
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        if info.primal_solution_status != 2:  # no feasible solution
            proven += [False] * (3 - number)
            break
        values = list(h.getSolution().col_value)
        achieved = round(sum(c * values[j] for j, c in enumerate(coefs)))
        proven.append(status == highspy.HighsModelStatus.kOptimal)
        if number == 0:
            bound = int(np.floor(-info.mip_dual_bound + 1e-6))
        nonzero = np.array([j for j, c in enumerate(coefs) if c], dtype=np.int32)
        h.addRow(achieved, inf, len(nonzero), nonzero,
                 np.array([coefs[j] for j in nonzero], dtype=float))
    return values, proven, bound


def main() -> None:
    path, limit = sys.argv[1], float(sys.argv[2])
    start = time.monotonic()
    instance = load_instance(path)
    prepared = prepare(instance)
    placeable = [r for r in range(len(instance.requests)) if prepared.candidates[r].shelters]
    shelters_of = {r: needed_shelters(prepared, r, max(0, len(placeable) - 1)) for r in placeable}
    model = build_model(prepared, placeable, shelters_of)
    stages = (model.priority, model.fit, [-t for t in model.travel])
    values, proven, bound = _highs(model, stages, start + limit)
    result = {"wall_time_s": time.monotonic() - start, "optimal": len(proven) == 3 and all(proven),
              "bound": bound, "objective": None}
    if values is not None:
        x = [round(v) for v in values[:len(model.pairs)]]
        result["objective"] = {
            "priority": sum(c * v for c, v in zip(model.priority, x, strict=True)),
            "fit": sum(c * v for c, v in zip(model.fit, x, strict=True)),
            "travel_km": sum(c * v for c, v in zip(model.travel, x, strict=True))}
    assert "ortools" not in sys.modules
    print(json.dumps(result))


if __name__ == "__main__":
    main()
