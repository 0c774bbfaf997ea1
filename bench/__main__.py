"""`make bench`: cpsat, greedy and HiGHS side by side on generated instances.

Scales: Kosovo (8 shelters, 30 requests), national (300, 500), continental (2,500, 1,000); three
seeds; scarce and ample beds. Prints a table of medians and saves every run as JSON under
bench/results/. `BENCH_QUICK=1` (or --quick) runs one seed and skips the continental scale.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import optimizer.cpsat  # noqa: F401  (load OR-Tools once, outside the timings)
from optimizer import Status, check_solution, instance_from_dict, solve
from optimizer.generate import generate

SCALES = {"kosovo": (8, 30, "kosovo"), "national": (300, 500, None),
          "continental": (2500, 1000, None)}
RESULTS = Path(__file__).parent / "results"


def _run_ours(instance, method, limit):
    solution = solve(instance, time_limit=limit, method=method)
    problems = check_solution(instance, solution)
    o = solution.objective
    return {"wall_time_s": solution.wall_time_s, "optimal": solution.status is Status.OPTIMAL,
            "bound": solution.bound_priority, "valid": not problems,
            "objective": {"priority": o.priority, "fit": o.fit, "travel_km": o.travel_km}}


def _run_highs(data, limit):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(data, fh)
    try:
        try:
            done = subprocess.run([sys.executable, "-m", "bench.highs_run", fh.name, str(limit)],
                                  capture_output=True, text=True, timeout=limit * 3 + 30,
                                  cwd=Path(__file__).parent.parent)
        except subprocess.TimeoutExpired:
            return {"error": [f"killed after {limit * 3 + 30:g} s"], "optimal": False}
        if done.returncode:
            return {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
        # highspy may print a banner on stdout first: the result is the last line.
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        os.unlink(fh.name)


def run_case(scale, variant, seed, limit, methods):
    shelters, requests, preset = SCALES[scale]
    data = generate(shelters, requests, seed, preset, variant)
    instance = instance_from_dict(data)
    rows = []
    first = None
    for method in methods:
        started = time.monotonic()
        if method == "highs":
            result = _run_highs(data, limit)
        else:
            result = _run_ours(instance, method, limit)
        result.setdefault("wall_time_s", time.monotonic() - started)
        if method == "greedy":
            first = result["wall_time_s"]
        result.update(scale=scale, variant=variant, seed=seed, method=method)
        brief = {k: result.get(k) for k in ("wall_time_s", "optimal", "bound", "objective",
                                            "error")}
        print(f"{scale} {variant} seed {seed} {method}: {json.dumps(brief)}", flush=True)
        rows.append(result)
    for result in rows:
        if result["method"] in ("greedy", "cpsat"):
            result["first_answer_s"] = first  # cpsat starts from the greedy answer
    return rows


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _fmt(value, digits=2):
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def table(rows):
    lines = [f"{'scale':<12}{'variant':<8}{'method':<8}{'first s':>8}{'optimum s':>10}"
             f"{'proven':>8}{'L1':>9}{'L2':>8}{'L3 km':>10}{'gap %':>8}{'L1<greedy':>10}"]
    keys = sorted({(r["scale"], r["variant"], r["method"]) for r in rows},
                  key=lambda k: (list(SCALES).index(k[0]), k[1], k[2]))
    for scale, variant, method in keys:
        mine = [r for r in rows if (r["scale"], r["variant"], r["method"]) == (scale, variant,
                                                                              method)]
        ok = [r for r in mine if r.get("objective")]
        greedy = {r["seed"]: r for r in rows if (r["scale"], r["variant"], r["method"]) ==
                  (scale, variant, "greedy")}
        worse = sum(1 for r in ok if r["seed"] in greedy and r["objective"]["priority"] <
                    greedy[r["seed"]]["objective"]["priority"])
        gaps = [100.0 * (r["bound"] - r["objective"]["priority"]) / max(1, r["bound"])
                for r in ok if r.get("bound") is not None]
        lines.append(
            f"{scale:<12}{variant:<8}{method:<8}"
            f"{_fmt(_median([r.get('first_answer_s') for r in mine])):>8}"
            f"{_fmt(_median([r['wall_time_s'] for r in mine if r.get('optimal')])):>10}"
            f"{str(sum(1 for r in mine if r.get('optimal'))) + '/' + str(len(mine)):>8}"
            f"{_fmt(_median([r['objective']['priority'] for r in ok])):>9}"
            f"{_fmt(_median([r['objective']['fit'] for r in ok])):>8}"
            f"{_fmt(_median([r['objective']['travel_km'] for r in ok])):>10}"
            f"{_fmt(_median(gaps)):>8}{worse:>10}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", default=bool(os.environ.get("BENCH_QUICK")))
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--scales", default=None, help="comma-separated subset of scales")
    parser.add_argument("--seeds", type=int, default=None)
    parser.add_argument("--methods", default="cpsat,greedy,highs")
    args = parser.parse_args(argv)
    scales = args.scales.split(",") if args.scales else (
        ["kosovo", "national"] if args.quick else list(SCALES))
    seeds = args.seeds or (1 if args.quick else 3)
    rows = []
    for scale in scales:
        for variant in ("scarce", "ample"):
            for seed in range(seeds):
                rows.extend(run_case(scale, variant, seed, args.time_limit,
                                     args.methods.split(",")))
    print()
    print(table(rows))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"time_limit": args.time_limit, "runs": rows}, indent=1))
    print(f"\nsaved {out}")


if __name__ == "__main__":
    main()
