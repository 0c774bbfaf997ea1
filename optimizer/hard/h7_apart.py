"""H7 keep apart: a request never shares a shelter with a case it must be kept apart from.

Two halves: a shelter where such a case already stays is excluded (`exclude_shelters`, the
instance's data), and two requests of one batch kept apart never go to the same shelter
(`Instance.keep_apart`, which already drops the pairs a waiver lifts).
"""

from __future__ import annotations

from .base import Reason, Rule

SENTENCE = Reason("h7_keep_apart",
                  "H7: a case this person must be kept apart from is at this shelter")


def check(policy, request, shelter) -> str | None:
    return SENTENCE if shelter.id in request.exclude_shelters else None


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
)
