"""H3 kind and security: the shelter kinds a request may go to, by (category, risk), policy data."""

from __future__ import annotations

from .base import Reason, Rule


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
