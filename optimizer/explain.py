"""Why a request is not placed: the residual instance after a batch, and the reference
explanation request by request with `rank` (the batch version in `unassigned.py` is tested
against it). Relaxations are the rules' own (`relax.py`).
"""

from __future__ import annotations

from dataclasses import replace

from .rules import rank
from .types import Assignment, Id, Instance, Occupant, Unassigned


def residual_instance(instance: Instance, assignments: tuple[Assignment, ...] | list) -> Instance:
    """The instance after the assignments: placed persons become occupants, placed requests
    leave the queue, and a placed keep-apart partner's shelter is excluded for the others."""
    placed = {a.request: a for a in assignments}
    added: dict[tuple[Id, Id], list[Occupant]] = {}
    for a in assignments:
        people = [Occupant(p.gender, p.age, a.request) for p in instance.request(a.request).persons]
        added.setdefault((a.shelter, a.room), []).extend(people)
    touched = {shelter for shelter, _ in added}
    shelters = tuple(
        replace(s, rooms=tuple(
            replace(r, occupants=r.occupants + tuple(added[(s.id, r.id)]))
            if (s.id, r.id) in added else r for r in s.rooms)) if s.id in touched else s
        for s in instance.shelters)
    requests = []
    for request in instance.requests:
        if request.id in placed:
            continue
        partners = instance.keep_apart[request.id]
        extra = sorted({placed[p].shelter for p in partners if p in placed} -
                       set(request.exclude_shelters), key=instance.shelter_index.__getitem__)
        requests.append(replace(
            request,
            keep_apart_from=tuple(p for p in request.keep_apart_from if p not in placed),
            exclude_shelters=request.exclude_shelters + tuple(extra)))
    return Instance(shelters=shelters, requests=tuple(requests), policy=instance.policy)


def explain_by_rank(instance: Instance, assignments) -> tuple[Unassigned, ...]:
    """`unassigned.explain_unassigned` the slow way, request by request with `rank`: the
    reference the batch version is tested against."""
    placed = {a.request for a in assignments}
    if len(placed) == len(instance.requests):
        return ()
    residual = residual_instance(instance, assignments)
    result = []
    for request in residual.requests:
        ranking = rank(residual, request.id, relaxations=True)
        result.append(Unassigned(request.id, ranking.excluded, ranking.relaxations))
    return tuple(result)
