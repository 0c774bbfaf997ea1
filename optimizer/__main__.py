"""The command line of the file format: `solve` an instance file, `generate` one."""

from __future__ import annotations

import argparse
import json
import sys
import time

from .generate import FREE_RATIO, generate
from .io import load_instance, solution_to_dict
from .solve import METHODS, solve
from .types import InstanceError


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


def main(argv: list[str] | None = None, clock=time.monotonic) -> int:
    """`clock` (tests inject one) times the whole `solve` command: --time-limit covers reading
    the file, preparation, the search and the explanations, and wall_time_s reports them."""
    started = clock()
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
                     clock=clock)
    json.dump(solution_to_dict(solution), sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
