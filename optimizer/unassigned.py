"""Explanations for every request a batch leaves unplaced, all at once.

The answer is the one `rank(residual, request, relaxations=True)` gives request by request (a
test holds them equal), from one `ranker.Ranker` over the residual instance: the rules run over
all shelters with numpy (`batch.py`), identical exclusions are built once and shared, and a bed
relaxation, which depends only on the shelter and the group's shape, is found and checked once
per shelter and shape.
"""

from __future__ import annotations

from .explain import residual_instance
from .ranker import Ranker
from .types import Instance, Unassigned


def explain_unassigned(instance: Instance, assignments) -> tuple[Unassigned, ...]:
    """For every request the assignments leave out: exclusions and relaxations, after them."""
    placed = {a.request for a in assignments}
    if len(placed) == len(instance.requests):
        return ()
    residual = residual_instance(instance, assignments)
    ranker = Ranker(residual)
    return tuple(ranker.explain(request) for request in residual.requests)
