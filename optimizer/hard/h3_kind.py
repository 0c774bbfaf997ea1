"""H3 kind and security: the shelter kinds a request may go to, by (category, risk), policy data."""

from __future__ import annotations

from ..vocabulary import CATEGORIES, RISKS, SECURITY_LEVELS, SHELTER_KINDS
from .base import Reason, Rule

# The policy's `allowed_kinds` when none is given (SPEC §3): "category/risk" -> the shelters
# allowed, each "kind" or "kind/security_level". The service stores its own in the policy.
DEFAULT_ALLOWED_KINDS = {
    "thb/high": ("thb/high",),
    "thb/medium": ("thb",),
    "thb/low": ("thb", "dv"),
    "dv/low": ("dv",),
    "dv/medium": ("dv",),
    "dv/high": ("dv",),
}
# Every key of the table, and every shelter an entry may allow.
PROFILES = tuple(f"{category}/{risk}" for category in CATEGORIES for risk in RISKS)
KINDS = SHELTER_KINDS + tuple(f"{kind}/{level}" for kind in SHELTER_KINDS
                              for level in SECURITY_LEVELS)


def kind_problem(spec) -> str | None:
    """Why an entry of `allowed_kinds` is not a shelter kind (with its security level)."""
    return None if spec in KINDS else f"must be one of {', '.join(KINDS)}"


def allowed_shelter(policy, request, shelter) -> bool:
    """Whether the shelter's kind and security level are allowed for the request."""
    for spec in policy.allowed_kinds[f"{request.category}/{request.risk}"]:
        kind, _, level = spec.partition("/")
        if shelter.kind == kind and (not level or shelter.security_level == level):
            return True
    return False


def check(policy, request, shelter) -> str | None:
    if allowed_shelter(policy, request, shelter):
        return None
    kinds = policy.allowed_kinds[f"{request.category}/{request.risk}"]
    allowed = " or ".join(_kind_words(s) for s in kinds) or "no"
    return Reason("h3_kind", f"H3: a {request.category} request at {request.risk} risk may be "
                  f"placed only in {allowed} shelters", category=request.category,
                  risk=request.risk, allowed=list(kinds))


def _kind_words(spec: str) -> str:
    kind, _, level = spec.partition("/")
    return f"{kind} ({level} security)" if level else kind


RULE = Rule(
    code="H3",
    says="allowed shelter kinds and security levels by category and risk (policy allowed_kinds)",
    scope="profile",
    check=check,
    request_reads=("category", "risk"),
    shelter_reads=("kind", "security_level"),
    override="any shelter kind and security level is allowed for this request",
)
