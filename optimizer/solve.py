"""`solve`: the lexicographic optimum (L1, then L2, then L3) of a batch, with its proof status.

Steps: prepare eligible pairs; greedy (the first valid answer and the hint); keep for each request
only the shelters it could possibly need (see `needed_shelters`); split into independent
components; a component whose greedy answer meets its trivial bounds is optimal as it stands;
the others go to CP-SAT over room classes. Whatever the clock or a stop request interrupts, the
answer is the best valid one known, checked by the validator, filled greedily, and explained.
"""

from __future__ import annotations

import functools
import math
import threading
import time
from dataclasses import dataclass

from .decode import concrete_rooms
from .greedy import greedy_assign
from .model import build_model
from .prepare import Prepared, prepare
from .types import Assignment, Instance, Solution, Status
from .unassigned import explain_unassigned
from .validate import evaluate, violations

METHODS = ("cpsat", "greedy")


def needed_shelters(prepared: Prepared, r: int, competitors: int) -> list[int]:
    """The prefix of r's candidate shelters that some optimal solution may use.

    Exchange argument: take an optimal solution whose requests sit as early in their own
    candidate order as possible. A request is then at its first shelter that is not blocked, and
    blocking a shelter takes at least `_blockers` other requests placed there (each blocked
    room needs its own). A prefix whose earlier shelters need more blockers than there are other
    requests therefore contains that first unblocked shelter.
    """
    instance = prepared.instance
    request = instance.requests[r]
    cands = prepared.candidates[r]
    biggest = max((q.size for q in instance.requests), default=1)
    has_partner = bool(instance.keep_apart[request.id])
    kept, needed = [], 0
    for s in cands.shelters:
        if needed > competitors:
            break
        kept.append(s)
        cost = 0
        for c in prepared.classes_for(r, s):
            cls = prepared.classes[c]
            per_room = 1 if cls.family or len(cls.genders) > 1 else \
                math.ceil((cls.free - request.size + 1) / biggest)
            cost += per_room * len(cls.rooms)
        needed += min(cost, 1) if has_partner else cost
    return kept


def components(requests: list[int], shelters_of: dict[int, list[int]]) -> list[list[int]]:
    """Groups of requests that share no candidate shelter with any other group."""
    parent = {r: r for r in requests}

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    owner: dict[int, int] = {}
    for r in requests:
        for s in shelters_of[r]:
            if s in owner:
                a, b = find(owner[s]), find(r)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[s] = r
    groups: dict[int, list[int]] = {}
    for r in requests:
        groups.setdefault(find(r), []).append(r)
    return sorted(groups.values())


@dataclass
class _Progress:
    placed: dict[int, tuple[int, object]]
    proven: bool = True
    bound: int = 0


def _trivially_optimal(prepared: Prepared, group: list[int], placed) -> bool:
    """Every request placed at a shelter as good as its best candidate: nothing can beat it."""
    for r in group:
        if r not in placed:
            return False
        cands = prepared.candidates[r]
        k = cands.shelters.index(placed[r][0])
        if (cands.fits[k], cands.travels[k]) != (cands.fits[0], cands.travels[0]):
            return False
    return True


def _solve_group(prepared, group, shelters_of, greedy, deadline, stop, progress,
                 clock=time.monotonic) -> None:
    from .cpsat import LexicographicSolver  # keeps `import optimizer` light for the service

    model = build_model(prepared, group, shelters_of)
    hint = [0] * model.num_vars
    chosen = {r: greedy[r] for r in group if r in greedy}
    for var, (r, c) in enumerate(model.pairs):
        if r in chosen and prepared.classes[c].shelter == chosen[r][0] and \
                chosen[r][1] in prepared.classes[c].rooms:
            hint[var] = 1
    _hint_patterns(prepared, model, hint)
    trivial = sum(prepared.priorities[r] for r in group)
    result = LexicographicSolver(model, hint, trivial, stop, clock).run(deadline)
    found = concrete_rooms(prepared, model, result.values)
    if len(found) != sum(result.values[:len(model.pairs)]):
        found = chosen  # packing failed: keep the greedy answer of this component
        progress.proven = False
    progress.placed.update(found)
    progress.proven &= all(result.proven) and len(result.proven) == 3
    progress.bound += result.bound_priority


def _hint_patterns(prepared, model, hint) -> None:
    """Pattern counts covering the hinted pairs (a hint only: CP-SAT repairs what is off)."""
    people = prepared.instance.requests
    need: dict[tuple[int, str], dict[int, int]] = {}
    for var, (r, c) in enumerate(model.pairs):
        if hint[var]:
            counts = need.setdefault((c, people[r].gender), {})
            counts[people[r].size] = counts.get(people[r].size, 0) + 1
    by_key: dict[tuple[int, str], list] = {}
    for p in model.patterns:
        by_key.setdefault((p.cls, p.gender), []).append(p)
    for key, patterns in by_key.items():
        left = need.get(key, {})
        while any(v > 0 for v in left.values()):
            best = max(patterns, key=lambda p: sum(min(n, max(0, left.get(s, 0)))
                                                     for s, n in p.counts.items()))
            hint[best.var] += 1
            for s, n in best.counts.items():
                left[s] = left.get(s, 0) - n


def solve(instance: Instance, time_limit: float = 10.0, method: str = "cpsat",
          stop: threading.Event | None = None, started: float | None = None,
          clock=time.monotonic, writing_s_per_exclusion: float = 0.0,
          search_runner=None) -> Solution:
    """Place the waiting requests: the lexicographic optimum of SPEC §4, within `time_limit` s.

    `method` "cpsat" proves optimality when it can; "greedy" is the one-pass baseline. `stop`
    (a threading.Event set by another thread) ends the search early; the answer is then the
    best valid one found (status feasible). Never raises for an unplaceable request: it comes
    back in `unassigned` with exclusions and checked relaxations.

    `started` (a reading of `clock`, by default `time.monotonic`) is when the caller's work
    began, if before this call: reading the instance then counts against `time_limit`, and
    `wall_time_s` reports from there. `writing_s_per_exclusion`: what the caller spends on
    each exclusion of the answer after this call (the command line writing it out), kept back
    from the search as the greedy answer's unplaced requests foretell it.

    `search_runner`, if given, is called as `search_runner(search, deadline)` to run the search
    (the part the time limit cuts short: a function of no arguments) and returns its result;
    `deadline` is the `clock` reading at which the search stops. The service runs it in a thread
    of the lowest CPU class, paused while the machine is busy up to that deadline. Preparing,
    filling and explaining stay in the caller's thread.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    start = clock() if started is None else started
    preparing = clock()
    prepared = prepare(instance)
    greedy = _as_placed(prepared, greedy_assign(prepared))
    unplaced = len(instance.requests) - len(greedy)
    reserve = _finish_reserve(instance, time_limit, clock() - preparing,
                              unplaced * len(instance.shelters) * writing_s_per_exclusion)
    deadline = start + max(0.0, time_limit - reserve)
    placeable = [r for r in range(len(instance.requests)) if prepared.candidates[r].shelters]
    if method == "greedy":
        progress = _Progress(greedy, proven=False,
                             bound=sum(prepared.priorities[r] for r in placeable))
    else:
        search = functools.partial(_exact, prepared, placeable, greedy, deadline, stop, clock)
        progress = search_runner(search, deadline) if search_runner else search()
    assignments = _finish(prepared, progress, greedy)
    objective = evaluate(instance, assignments)
    status = Status.OPTIMAL if progress.proven else Status.FEASIBLE
    bound = progress.bound
    if bound is not None and progress.proven:
        bound = objective.priority
    unassigned = explain_unassigned(instance, assignments)
    return Solution(status, objective, bound, clock() - start, tuple(assignments),
                    unassigned, method)


def _finish_reserve(instance: Instance, time_limit: float, preparing_s: float = 0.0,
                    writing_s: float = 0.0) -> float:
    """Seconds kept back from the search for filling, checking and explaining the answer, so
    that the whole call, explanations included, stays within `time_limit` (measured: about
    0.3 s for 1,000 requests against 2,500 shelters). Finishing costs about what preparing did
    (measured: 0.5 s and 0.6 s of CPU at that size, 0.1 s each for 500 requests against 300),
    so half as much again as preparing took is kept too: that follows the machine's load,
    which an estimate from the size alone does not (at a load of 5 on 2 cores, national runs
    overran 10 s by up to 0.3 s with the size alone). At most a fifth of the limit, besides
    `writing_s`, the caller's own writing of the answer: at most half the limit in all."""
    pairs = len(instance.requests) * len(instance.shelters)
    finishing = min(0.2 * max(0.0, time_limit), max(0.05 + 3e-7 * pairs, 1.5 * preparing_s))
    return min(0.5 * max(0.0, time_limit), finishing + writing_s)


def _exact(prepared, placeable, greedy, deadline, stop, clock=time.monotonic) -> _Progress:
    competitors = max(0, len(placeable) - 1)
    shelters_of = {r: needed_shelters(prepared, r, competitors) for r in placeable}
    progress = _Progress({})
    groups = components(placeable, shelters_of)
    hard = []
    for group in groups:
        mine = {r: greedy[r] for r in group if r in greedy}
        if _trivially_optimal(prepared, group, mine):
            progress.placed.update(mine)
            progress.bound += sum(prepared.priorities[r] for r in group)
        else:
            hard.append(group)
    weights = [sum(len(shelters_of[r]) for r in g) for g in hard]
    for k, group in enumerate(hard):
        now = clock()
        if now >= deadline or (stop is not None and stop.is_set()):
            progress.placed.update({r: greedy[r] for r in group if r in greedy})
            progress.proven = False
            progress.bound += sum(prepared.priorities[r] for r in group)
            continue
        share = (deadline - now) * weights[k] / max(1, sum(weights[k:]))
        _solve_group(prepared, group, shelters_of, greedy, now + share, stop, progress, clock)
    return progress


def _as_placed(prepared: Prepared, assignments) -> dict[int, tuple[int, object]]:
    instance = prepared.instance
    return {instance.request_index[a.request]: (instance.shelter_index[a.shelter], a.room)
            for a in assignments}


def _finish(prepared: Prepared, progress: _Progress, greedy) -> list[Assignment]:
    """Fill what the model left, then check; an invalid answer (a bug) falls back to greedy."""
    assignments = greedy_assign(prepared, placed=progress.placed)
    if len(assignments) > len(progress.placed):
        progress.proven = False
    if violations(prepared.instance, assignments):
        progress.proven = False
        instance = prepared.instance
        assignments = [Assignment(instance.requests[r].id, instance.shelters[s].id, room)
                       for r, (s, room) in sorted(greedy.items())]
    return assignments
