"""Why a request is not placed: exclusions per shelter and checked single-rule relaxations.

A relaxation is only offered after applying it to a copy of the instance and seeing the request
become placeable at that shelter. It names a threshold or a bed count, never a distance from a
shelter to a point; an H6 threshold is offered in whole steps of `H6_STEP_KM`, and never below it.
"""

from __future__ import annotations

import math
from dataclasses import replace

from .rules import (
    h4_reasons,
    h5_room,
    nearest_suspect_km,
    oldest_boy,
    rank,
    shelter_verdict,
    suspect_in_municipality,
)
from .types import (
    Assignment,
    Exclusion,
    Id,
    Instance,
    Occupant,
    Relaxation,
    Request,
    Unassigned,
)

H6_STEP_KM = 5.0
_ROOM_WORDS = {"family": "a family room", "adult": "an adult room", "minor": "a minor room"}


def apply_relaxation(instance: Instance, relaxation: Relaxation) -> Instance:
    """A copy of the instance with the relaxation applied (for checking and for tests)."""
    if relaxation.parameter.startswith("min_suspect_distance_km."):
        risk = relaxation.parameter.split(".", 1)[1]
        table = dict(instance.policy.min_suspect_distance_km)
        table[risk] = relaxation.relaxed
        policy = replace(instance.policy, min_suspect_distance_km=table)
        return replace(instance, policy=policy)
    index = instance.shelter_index[relaxation.shelter]
    shelter = instance.shelters[index]
    if relaxation.parameter == "max_accompanying_boy_age":
        shelter = replace(shelter, max_accompanying_boy_age=relaxation.relaxed)
    elif relaxation.parameter == "beds":
        rooms = tuple(replace(r, beds=relaxation.relaxed) if r.id == relaxation.room else r
                      for r in shelter.rooms)
        shelter = replace(shelter, rooms=rooms)
    else:
        raise ValueError(f"unknown relaxation parameter {relaxation.parameter!r}")
    shelters = instance.shelters[:index] + (shelter,) + instance.shelters[index + 1:]
    return replace(instance, shelters=shelters)


def placeable_at(instance: Instance, request: Request, shelter_id: Id) -> bool:
    rooms, _ = shelter_verdict(instance.policy, request, instance.shelter(shelter_id))
    return bool(rooms)


def _works(instance: Instance, request: Request, relaxation: Relaxation) -> bool:
    """The relaxation applied to just the policy or the one shelter it changes: placeable?"""
    shelter = instance.shelter(relaxation.shelter)
    policy = instance.policy
    if relaxation.parameter.startswith("min_suspect_distance_km."):
        table = dict(policy.min_suspect_distance_km)
        table[relaxation.parameter.split(".", 1)[1]] = relaxation.relaxed
        policy = replace(policy, min_suspect_distance_km=table)
    elif relaxation.parameter == "max_accompanying_boy_age":
        shelter = replace(shelter, max_accompanying_boy_age=relaxation.relaxed)
    else:
        shelter = replace(shelter, rooms=tuple(
            replace(r, beds=relaxation.relaxed) if r.id == relaxation.room else r
            for r in shelter.rooms))
    rooms, _ = shelter_verdict(policy, request, shelter)
    return bool(rooms)


def _h6(instance: Instance, request: Request, shelter_id: Id) -> Relaxation | None:
    shelter = instance.shelter(shelter_id)
    if suspect_in_municipality(request, shelter):
        return None  # the municipality rule has no threshold to relax
    current = instance.policy.min_suspect_distance_km[request.risk]
    # The policy distance that would admit the shelter, its privacy radius still added on.
    room = nearest_suspect_km(request, shelter) - shelter.location_radius_km
    relaxed = math.floor(room / H6_STEP_KM) * H6_STEP_KM
    if relaxed < H6_STEP_KM or relaxed >= current:
        return None
    return Relaxation(
        "H6", shelter_id, f"min_suspect_distance_km.{request.risk}", current, relaxed,
        f"H6: placeable at shelter {shelter_id} if the suspect distance for {request.risk} "
        f"risk were {relaxed:g} km instead of {current:g}")


def _h4(instance: Instance, request: Request, shelter_id: Id) -> Relaxation | None:
    shelter = instance.shelter(shelter_id)
    reasons = h4_reasons(request, shelter)
    oldest = oldest_boy(request)
    limit = shelter.max_accompanying_boy_age
    if len(reasons) != 1 or "accompanying boys" not in reasons[0] or oldest is None:
        return None
    return Relaxation(
        "H4", shelter_id, "max_accompanying_boy_age", limit, oldest,
        f"H4: boy aged {oldest} over the limit of {limit} at shelter {shelter_id}")


def _beds(instance: Instance, request: Request, shelter_id: Id, rule: str) -> Relaxation | None:
    shelter = instance.shelter(shelter_id)
    short = [(request.size - room.free, order, room) for order, room in enumerate(shelter.rooms)
             if h5_room(request, room) is None and room.free < request.size]
    if not short:
        return None
    missing, _, room = min(short, key=lambda item: item[:2])
    beds = "one bed" if missing == 1 else f"{missing} beds"
    where = _ROOM_WORDS[room.kind]
    return Relaxation(
        rule, shelter_id, "beds", room.beds, room.beds + missing,
        f"{rule}: {beds} short in {where} at shelter {shelter_id}", room=room.id)


_RELAXERS = {
    ("H6",): lambda inst, req, sid: _h6(inst, req, sid),
    ("H4",): lambda inst, req, sid: _h4(inst, req, sid),
    ("H1",): lambda inst, req, sid: _beds(inst, req, sid, "H1"),
    ("H2",): lambda inst, req, sid: _beds(inst, req, sid, "H2"),
}


def relaxations_for(instance: Instance, request: Request,
                    excluded: list[Exclusion] | tuple[Exclusion, ...]) -> tuple[Relaxation, ...]:
    """Single-rule relaxations for shelters excluded by exactly one relaxable rule, each checked."""
    found = []
    for exclusion in excluded:
        relaxer = _RELAXERS.get(tuple(exclusion.rules))
        if relaxer is None:
            continue
        relaxation = relaxer(instance, request, exclusion.shelter)
        if relaxation and _works(instance, request, relaxation):
            found.append(relaxation)
    return tuple(found)


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
