"""The command line of the file format: `solve` an instance file, `generate` one."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

from .generate import FREE_RATIO, generate
from .io import load_instance, write_solution
from .solve import METHODS, solve
from .types import InstanceError

# Seconds to turn one exclusion of the answer into JSON text (measured: 780,000 exclusions, a
# continental answer, in 1.6 s on this 2-core machine), kept back from the search so that
# --time-limit covers the writing too.
WRITING_S_PER_EXCLUSION = 2e-6
# Start-up (Python and its imports) longer than this is taken for clocks that disagree: then
# the command is timed from main(), as before, rather than left no time to search.
STARTUP_PLAUSIBLE_S = 60.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m optimizer", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("solve", help="solve an instance file; the solution goes to stdout")
    run.add_argument("file")
    run.add_argument("--time-limit", type=float, default=10.0, metavar="S")
    run.add_argument("--method", choices=METHODS, default="cpsat")
    make = commands.add_parser("generate", help="write a random instance to stdout")
    make.add_argument("--shelters", type=int, required=True, metavar="N")
    make.add_argument("--requests", type=int, required=True, metavar="M")
    make.add_argument("--seed", type=int, default=0, metavar="K")
    make.add_argument("--preset", choices=("kosovo",), default=None)
    make.add_argument("--variant", choices=tuple(FREE_RATIO), default="normal")
    return parser


def _process_started() -> float:
    """When this process started, on `time.monotonic`'s scale: Python's start-up and the
    imports (OR-Tools, numpy: about half a second) count against --time-limit too. Linux tells
    it (/proc/self/stat, in clock ticks since boot, against CLOCK_BOOTTIME); elsewhere, now."""
    try:
        with open("/proc/self/stat") as stat:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        since = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic()
    if not 0.0 <= since <= STARTUP_PLAUSIBLE_S:  # clocks that disagree (some sandboxes)
        return time.monotonic()
    return time.monotonic() - since


def main(argv: list[str] | None = None, clock=time.monotonic) -> int:
    """`clock` (tests inject one) times the whole `solve` command: --time-limit covers reading
    the file, preparation, the search, the explanations and writing the answer, and
    wall_time_s reports them all."""
    started = _process_started() if clock is time.monotonic else clock()
    args = _parser().parse_args(argv)
    if args.command == "generate":
        if args.shelters < 1 or args.requests < 0:
            print("error: --shelters must be >= 1 and --requests >= 0", file=sys.stderr)
            return 2
        json.dump(generate(args.shelters, args.requests, args.seed, args.preset, args.variant),
                  sys.stdout, indent=1)
        print()
        return 0
    try:
        instance = load_instance(args.file)
    except InstanceError as error:
        print(f"error: {args.file}: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    solution = solve(instance, time_limit=args.time_limit, method=args.method, started=started,
                     clock=clock, writing_s_per_exclusion=WRITING_S_PER_EXCLUSION)
    write_solution(solution, sys.stdout, elapsed=lambda: clock() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
