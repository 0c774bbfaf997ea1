"""H4 gender policy, accompanying children and unaccompanied minors."""

from __future__ import annotations

from dataclasses import replace

from ..types import Relaxation
from .base import Reason, Rule

BOY_LIMIT_WORDS = "accompanying boys"


def reasons(request, shelter) -> list[str]:
    """Every H4 breach, in a fixed order."""
    found = []
    genders = request.member_genders
    if shelter.gender_policy == "women" and genders - {"female"}:
        found.append(Reason("h4_women", "H4: this shelter takes women and girls only"))
    if shelter.gender_policy == "men" and genders - {"male"}:
        found.append(Reason("h4_men", "H4: this shelter takes men and boys only"))
    if request.has_accompanying_children and not shelter.accepts_accompanied_children:
        found.append(Reason("h4_no_children",
                            "H4: this shelter does not take accompanying children"))
    elif request.has_accompanying_children and shelter.max_accompanying_boy_age is not None:
        oldest = request.oldest_accompanying_boy
        if oldest is not None and oldest > shelter.max_accompanying_boy_age:
            limit = shelter.max_accompanying_boy_age
            found.append(Reason("h4_boy_age", f"H4: a boy aged {oldest} is over this shelter's "
                                f"limit of {limit} for {BOY_LIMIT_WORDS}",
                                age=oldest, limit=limit))
    if request.unaccompanied and not shelter.accepts_unaccompanied_minors:
        found.append(Reason("h4_no_minors",
                            "H4: this shelter does not take unaccompanied minors"))
    return found


def check(policy, request, shelter) -> str | None:
    found = reasons(request, shelter)
    return found[0] if found else None


def relax(instance, request, shelter_id):
    """Only the boy's age limit is a threshold: offered when it is the one H4 breach."""
    shelter = instance.shelter(shelter_id)
    found = reasons(request, shelter)
    oldest = request.oldest_accompanying_boy
    limit = shelter.max_accompanying_boy_age
    if len(found) != 1 or BOY_LIMIT_WORDS not in found[0] or oldest is None:
        return None
    return Relaxation(
        "H4", shelter_id, "max_accompanying_boy_age", limit, oldest,
        f"H4: boy aged {oldest} over the limit of {limit} at shelter {shelter_id}")


def relaxed(policy, shelter, relaxation):
    return policy, replace(shelter, max_accompanying_boy_age=relaxation.relaxed)


RULE = Rule(
    code="H4",
    says="the shelter's gender policy, accompanying children (boys' age limit) and "
         "unaccompanied minors",
    scope="profile",
    check=check,
    request_reads=("member_genders", "has_accompanying_children", "oldest_accompanying_boy",
                   "unaccompanied"),
    shelter_reads=("gender_policy", "accepts_accompanied_children", "max_accompanying_boy_age",
                   "accepts_unaccompanied_minors"),
    override="the shelter's gender policy and limits on children are not applied",
    relax=relax,
    relaxed=relaxed,
)
