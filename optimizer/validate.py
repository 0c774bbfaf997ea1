"""A solver-free check of a solution against every hard rule, and its objective recomputed."""

from __future__ import annotations

from collections import defaultdict

from .hard import h2_together, h7_apart
from .registry import RULES, shelter_reasons
from .rules import fit, travel_km
from .types import Assignment, Instance, Objective, Solution


def evaluate(instance: Instance, assignments) -> Objective:
    """L1, L2 and L3 of a set of assignments, computed from the rules alone."""
    priority = fit_total = km = 0
    for a in assignments:
        request = instance.request(a.request)
        shelter = instance.shelter(a.shelter)
        priority += instance.policy.priority(request)
        fit_total += fit(request, shelter)
        km += travel_km(request, shelter)
    return Objective(priority, fit_total, km)


def violations(instance: Instance, assignments) -> list[str]:
    """Every hard-rule breach of the assignments (empty when they are valid)."""
    problems: list[str] = []
    by_room: dict[tuple, list[Assignment]] = defaultdict(list)
    where: dict = {}
    for a in assignments:
        if a.request not in instance.request_index:
            problems.append(f"unknown request {a.request!r}")
            continue
        if a.request in where:
            problems.append(h2_together.twice(a.request))
            continue
        if a.shelter not in instance.shelter_index:
            problems.append(f"request {a.request!r}: unknown shelter {a.shelter!r}")
            continue
        shelter = instance.shelter(a.shelter)
        if a.room not in {r.id for r in shelter.rooms}:
            problems.append(f"request {a.request!r}: unknown room {a.room!r}")
            continue
        where[a.request] = a.shelter
        by_room[(a.shelter, a.room)].append(a)
        reasons = shelter_reasons(instance.policy, instance.request(a.request), shelter)
        problems.extend(f"request {a.request!r} at {a.shelter!r}: {r}" for r in reasons.values())
    problems.extend(h7_apart.shared_shelters(instance, where))
    for (shelter_id, room_id), entering in by_room.items():
        room = next(r for r in instance.shelter(shelter_id).rooms if r.id == room_id)
        requests = [instance.request(a.request) for a in entering]
        for rule in RULES:
            if rule.fill_check is not None:
                problems.extend(rule.fill_check(room, requests))
    return problems


def check_solution(instance: Instance, solution: Solution) -> list[str]:
    """Everything wrong with a solution: rule breaches, bookkeeping, and a misreported objective."""
    problems = violations(instance, solution.assignments)
    placed = {a.request for a in solution.assignments}
    left = {u.request for u in solution.unassigned}
    if placed & left:
        problems.append("a request is both assigned and unassigned")
    if placed | left != set(instance.request_index):
        problems.append("assigned and unassigned do not cover every request exactly")
    if evaluate(instance, solution.assignments) != solution.objective:
        problems.append("the reported objective is not the recomputed one")
    bound = solution.bound_priority
    if bound is not None and bound < solution.objective.priority:
        problems.append("the L1 bound is below the solution's own L1")
    return problems
