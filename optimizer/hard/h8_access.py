"""H8 needs: a wheelchair user needs a wheelchair-accessible shelter."""

from __future__ import annotations

from .base import Reason, Rule


def check(policy, request, shelter) -> str | None:
    if request.needs_wheelchair and not shelter.wheelchair_accessible:
        return Reason("h8_wheelchair", "H8: the shelter is not wheelchair accessible")
    return None


RULE = Rule(
    code="H8",
    says="a wheelchair user goes only to a wheelchair-accessible shelter",
    scope="profile",
    check=check,
    request_reads=("needs_wheelchair",),
    shelter_reads=("wheelchair_accessible",),
    override="the shelter's accessibility is not required",
)
