"""A solver-free check of a solution against every hard rule, and its objective recomputed."""

from __future__ import annotations

from collections import defaultdict

from .rules import fit, shelter_reasons, travel_km
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
            problems.append(f"H2: request {a.request!r} is assigned twice")
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
    problems.extend(_keep_apart(instance, where))
    for (shelter_id, room_id), entering in by_room.items():
        room = next(r for r in instance.shelter(shelter_id).rooms if r.id == room_id)
        problems.extend(_room(instance, room, [instance.request(a.request) for a in entering]))
    return problems


def _keep_apart(instance: Instance, where: dict) -> list[str]:
    problems = []
    for request_id, shelter_id in where.items():
        for other in instance.keep_apart[request_id]:
            if where.get(other) == shelter_id and repr(request_id) < repr(other):
                problems.append(f"H7: {request_id!r} and {other!r} share shelter {shelter_id!r}")
    return problems


def _room(instance: Instance, room, requests) -> list[str]:
    label = f"room {room.id!r}"
    problems = []
    newcomers = sum(r.size for r in requests)
    if len(room.occupants) + room.held + newcomers > room.beds:
        problems.append(f"H1: {label} is over its beds")
    if room.kind == "family":
        if len(requests) > 1:
            problems.append(f"H5: family {label} takes more than one group")
        if room.occupants or room.held:
            problems.append(f"H5: family {label} is in use")
        return problems
    for request in requests:
        if request.needs_family_room:
            problems.append(f"H5: request {request.id!r} needs a family room, not {label}")
        elif room.kind != request.age_kind:
            problems.append(f"H5: request {request.id!r} cannot take {room.kind} {label}")
    genders = {o.gender for o in room.occupants}
    genders.update(p.gender for r in requests for p in r.persons)
    if room.gender != "any" and genders - {room.gender}:
        problems.append(f"H5: {room.gender} {label} gets another gender")
    if len(genders) > 1:
        problems.append(f"H5: {label} would hold two genders")
    if room.gender == "any" and room.held and not room.occupants:
        problems.append(f"H5: {label} has holds of unknown gender")
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
