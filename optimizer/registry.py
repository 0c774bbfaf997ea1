"""The one registry of hard rules H1–H8 (SPEC §3), and the verdicts every caller shares.

Each rule is one `Rule` object in `optimizer/hard/`; this module lists them and answers, for
one request and one shelter, which rules exclude it. Ranking, the batch explanations, the
unassigned report, the validator and the model build all read rules from here. A coordinator's
waiver travels in the instance (`Request.waived`) and is honoured here for every caller.
"""

from __future__ import annotations

from .hard import (
    h1_beds,
    h2_together,
    h3_kind,
    h4_profile,
    h5_rooms,
    h6_suspects,
    h7_apart,
    h8_access,
)
from .hard.base import Rule

RULES: tuple[Rule, ...] = (h1_beds.RULE, h2_together.RULE, h3_kind.RULE, h4_profile.RULE,
                           h5_rooms.RULE, h6_suspects.RULE, h7_apart.RULE, h8_access.RULE)
BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
RULE_CODES = tuple(BY_CODE)
OVERRIDABLE = tuple(rule.code for rule in RULES if rule.overridable)
RELAXABLE = frozenset(rule.code for rule in RULES if rule.relax is not None)
PROFILE = tuple(rule for rule in RULES if rule.scope == "profile")
PLACE = tuple(rule for rule in RULES if rule.scope == "place")
ROOM = tuple(rule for rule in RULES if rule.scope == "room")
# How the room rules explain a shelter where no room takes the request, first match wins: H5 over
# every room, then H2 and H1 over the rooms H5 admits (True: over those only). A room that H5
# admits and H1 fits takes the request.
ROOM_ORDER = ((h5_rooms.RULE, False), (h2_together.RULE, True), (h1_beds.RULE, True))
ADMITS, FITS = h5_rooms.RULE, h1_beds.RULE
# Exclusions that say only "no free bed now" (the hold answers 409, try again; unmet need counts
# them as the clearest case for more beds), not "this shelter is not for this person".
CAPACITY_ONLY = frozenset({FITS.code})
# Room rules' relaxations read only the shelter and what the room rules read of the request.
ROOM_RELAXABLE = frozenset(rule.code for rule in ROOM if rule.relax is not None)
# A room rule's relaxation adds beds to a room H5 admits until the group fits it. When it is the
# only rule excluding the shelter, every profile and place rule passes already, and H5 does not
# read a room's beds: so the room takes the group once the beds are added, and the relaxation
# needs no check. Were H5 ever to read beds, the batch would check each one again.
BEDS_ADDED_ALWAYS_WORK = "beds" not in ADMITS.room_reads


def _union(names) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for group in names for name in group))


# What the profile rules read, for the batch's caches: requests that agree on these fields (and
# on their waivers) get the same verdicts at shelters that agree on theirs.
PROFILE_REQUEST_READS = _union(rule.request_reads for rule in PROFILE)
PROFILE_SHELTER_READS = _union(rule.shelter_reads for rule in PROFILE)
ROOM_REQUEST_READS = _union(rule.request_reads for rule in ROOM)


def profile_key(request) -> tuple:
    """Everything the profile rules read from a request, waivers included."""
    return tuple(getattr(request, name) for name in PROFILE_REQUEST_READS) + (request.waived,)


def profile_traits(shelter) -> tuple:
    """Everything the profile rules read from a shelter."""
    return tuple(getattr(shelter, name) for name in PROFILE_SHELTER_READS)


def room_key(request) -> tuple:
    """Everything the room rules read from a request."""
    return tuple(getattr(request, name) for name in ROOM_REQUEST_READS)


def _reasons(rules, policy, request, shelter) -> dict[str, str]:
    found = {}
    for rule in rules:
        if request.checks(rule.code):
            reason = rule.check(policy, request, shelter)
            if reason:
                found[rule.code] = reason
    return found


def profile_reasons(policy, request, shelter) -> dict[str, str]:
    """The profile rules (H3, H4, H8): who the request is, not where the shelter is."""
    return _reasons(PROFILE, policy, request, shelter)


def place_reasons(policy, request, shelter) -> dict[str, str]:
    """The place rules (H6, H7)."""
    return _reasons(PLACE, policy, request, shelter)


def shelter_reasons(policy, request, shelter) -> dict[str, str]:
    """Every shelter-level rule (H3, H4, H6, H7, H8) the shelter breaks for the request."""
    reasons = profile_reasons(policy, request, shelter)
    reasons.update(place_reasons(policy, request, shelter))
    return dict(sorted(reasons.items()))


def room_reasons(request, shelter) -> tuple[list, dict[str, str]]:
    """Rooms of the shelter the request can enter (H5, then H1) and, if none, the one room
    rule why: H5 when no room may take the group, H2 when it would fit only split, else H1."""
    suitable = [room for room in shelter.rooms if h5_rooms.admits(request, room)]
    fitting = [room for room in suitable if h1_beds.fits(request, room)]  # = room_takes
    if fitting:
        return sorted(fitting, key=_room_preference), {}
    for rule, over_suitable in ROOM_ORDER:
        reason = rule.check(request, suitable if over_suitable else shelter.rooms)
        if reason:
            return [], {rule.code: reason}
    raise AssertionError("H1 holds when a room fits")  # pragma: no cover


def room_takes(request, room) -> bool:
    """Whether one room, as it stands, takes the request: H5 admits it and H1 fits it."""
    return h5_rooms.admits(request, room) and h1_beds.fits(request, room)


def _room_preference(room) -> tuple:
    # Keep family rooms for families and big rooms for big groups: fill the tightest room first.
    return (room.kind == "family", room.free)


def room_preference_columns(table) -> tuple:
    """`_room_preference` for every room of a batch table (`batch.RoomRules`), as
    `numpy.lexsort` keys: least significant first."""
    return (table.free, table.kind == "family")


def shelter_verdict(policy, request, shelter) -> tuple[list, dict[str, str]]:
    """Rooms the request can enter at this shelter, and every rule that excludes it."""
    reasons = shelter_reasons(policy, request, shelter)
    rooms, found = room_reasons(request, shelter)
    reasons.update(found)
    if reasons:
        return [], dict(sorted(reasons.items()))
    return rooms, {}


def relaxed(policy, shelter, relaxation):
    """(policy, shelter) with the relaxation applied by the rule that offered it."""
    return BY_CODE[relaxation.rule].relaxed(policy, shelter, relaxation)
