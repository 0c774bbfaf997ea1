"""Single-rule relaxations: offered by the rule that excludes a shelter, applied once, checked.

A relaxation is only offered after applying it to the policy or the one shelter it changes and
seeing the request become placeable there. It names a threshold or a bed count, never a
distance from a shelter to a point.
"""

from __future__ import annotations

from dataclasses import replace

from .registry import BY_CODE, RELAXABLE, relaxed, shelter_verdict
from .types import Exclusion, Instance, Relaxation, Request


def apply_relaxation(instance: Instance, relaxation: Relaxation) -> Instance:
    """A copy of the instance with the relaxation applied (for tests and callers)."""
    index = instance.shelter_index[relaxation.shelter]
    policy, shelter = relaxed(instance.policy, instance.shelters[index], relaxation)
    shelters = instance.shelters[:index] + (shelter,) + instance.shelters[index + 1:]
    return replace(instance, policy=policy, shelters=shelters)


def works(instance: Instance, request: Request, relaxation: Relaxation) -> bool:
    """Whether the request is placeable at the shelter once the relaxation is applied."""
    policy, shelter = relaxed(instance.policy, instance.shelter(relaxation.shelter), relaxation)
    rooms, _ = shelter_verdict(policy, request, shelter)
    return bool(rooms)


def offer(instance: Instance, request: Request, exclusion: Exclusion) -> Relaxation | None:
    """The rule's own relaxation when it is the one rule excluding the shelter, unchecked."""
    if len(exclusion.rules) != 1 or exclusion.rules[0] not in RELAXABLE:
        return None
    return BY_CODE[exclusion.rules[0]].relax(instance, request, exclusion.shelter)


def relaxations_for(instance: Instance, request: Request,
                    excluded: list[Exclusion] | tuple[Exclusion, ...]) -> tuple[Relaxation, ...]:
    """Checked single-rule relaxations for the exclusions, in their order."""
    found = []
    for exclusion in excluded:
        relaxation = offer(instance, request, exclusion)
        if relaxation and works(instance, request, relaxation):
            found.append(relaxation)
    return tuple(found)
