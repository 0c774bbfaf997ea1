"""H7 keep apart: a request never shares a shelter with a case it must be kept apart from.

Two halves: a shelter where such a case already stays is excluded (`exclude_shelters`, the
instance's data), and two requests of one batch kept apart never go to the same shelter
(`Instance.keep_apart`, which already drops the pairs a waiver lifts).
"""

from __future__ import annotations

import numpy as np

from .base import Reason, Rule

SENTENCE = Reason("h7_keep_apart",
                  "H7: a case this person must be kept apart from is at this shelter")


def check(policy, request, shelter) -> str | None:
    return SENTENCE if shelter.id in request.exclude_shelters else None


def over_shelters(table, policy, request) -> np.ndarray:
    """`check` for every shelter of the table (`batch.Geometry`): 1 where a case to keep apart
    from stays, else 0."""
    found = np.zeros(len(table.lats), dtype=np.int64)
    for shelter_id in request.exclude_shelters:
        found[table.index[shelter_id]] = 1
    return found


def partners(instance) -> dict:
    """Each request's partners, symmetric: either listing the other is enough, and a waiver of
    H7 by either lifts the pair."""
    found: dict = {r.id: set() for r in instance.requests}
    for r in instance.requests:
        for other in r.keep_apart_from:
            if not (r.checks(RULE.code) and instance.request(other).checks(RULE.code)):
                continue  # a coordinator waived H7 for one of the two
            found[r.id].add(other)
            found[other].add(r.id)
    return {k: frozenset(v) for k, v in found.items()}


def shared_shelters(instance, where: dict) -> list[str]:
    """Breaches among assignments (`where`: request id -> shelter id) of one batch."""
    problems = []
    for request_id, shelter_id in where.items():
        for other in instance.keep_apart[request_id]:
            if where.get(other) == shelter_id and repr(request_id) < repr(other):
                problems.append(f"H7: {request_id!r} and {other!r} share shelter {shelter_id!r}")
    return problems


RULE = Rule(
    code="H7",
    says="never in the same shelter as a case to keep apart from",
    scope="place",
    check=check,
    request_reads=("exclude_shelters", "keep_apart_from"),
    shelter_reads=("id",),
    override="cases to keep apart from are not considered for this request",
    over_shelters=over_shelters,
)
