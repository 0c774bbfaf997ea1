"""Hard rules H1–H8 of SPEC §3 as plain functions, the fit of §4, and `rank` for one request.

Every rule function returns None when the rule is met and otherwise one plain-English sentence that
states the rule and its threshold. Sentences never contain a distance between a shelter and any
point: they may name a threshold (policy data), never a measured value.
"""

from __future__ import annotations

from dataclasses import dataclass

from .geo import haversine_km, rounded_km
from .types import WHEELCHAIR, Exclusion, Id, Policy, Relaxation, Request, Room, Shelter

RULE_CODES = ("H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8")


class Reason(str):
    """A rule's English sentence that also carries a `key` naming its template and the `params`
    it was built from, so a reader (a page) can say the same sentence in another language."""

    key: str
    params: dict

    def __new__(cls, key: str, text: str, **params):
        reason = super().__new__(cls, text)
        reason.key, reason.params = key, params
        return reason

    def __getnewargs_ex__(self):
        return (self.key, str(self)), dict(self.params)


# --- shelter-level rules ----------------------------------------------------------------------

def allowed_shelter(policy: Policy, request: Request, shelter: Shelter) -> bool:
    """Whether the shelter's kind and security level are allowed for the request (H3)."""
    for spec in policy.allowed_kinds[f"{request.category}/{request.risk}"]:
        kind, _, level = spec.partition("/")
        if shelter.kind == kind and (not level or shelter.security_level == level):
            return True
    return False


def h3_kind(policy: Policy, request: Request, shelter: Shelter) -> str | None:
    """H3 kind and security: allowed shelter kinds by (category, risk)."""
    if allowed_shelter(policy, request, shelter):
        return None
    allowed = " or ".join(_kind_words(s) for s in policy.allowed_kinds[
        f"{request.category}/{request.risk}"]) or "no"
    return Reason("h3_kind", f"H3: a {request.category} request at {request.risk} risk may be"
                  f" placed only in {allowed} shelters", category=request.category,
                  risk=request.risk,
                  allowed=list(policy.allowed_kinds[f"{request.category}/{request.risk}"]))


def _kind_words(spec: str) -> str:
    kind, _, level = spec.partition("/")
    return f"{kind} ({level} security)" if level else kind


def h4_reasons(request: Request, shelter: Shelter) -> list[str]:
    """H4 gender policy, accompanying children and unaccompanied minors; every breach found."""
    reasons = []
    if shelter.gender_policy == "women" and any(p.gender != "female" for p in request.members):
        reasons.append(Reason("h4_women", "H4: this shelter takes women and girls only"))
    if shelter.gender_policy == "men" and any(p.gender != "male" for p in request.members):
        reasons.append(Reason("h4_men", "H4: this shelter takes men and boys only"))
    children = request.accompanying_children
    if children and not shelter.accepts_accompanied_children:
        reasons.append(Reason("h4_no_children",
                              "H4: this shelter does not take accompanying children"))
    elif children and shelter.max_accompanying_boy_age is not None:
        oldest = oldest_boy(request)
        if oldest is not None and oldest > shelter.max_accompanying_boy_age:
            limit = shelter.max_accompanying_boy_age
            reasons.append(Reason("h4_boy_age", f"H4: a boy aged {oldest} is over this shelter's"
                                  f" limit of {limit} for accompanying boys",
                                  age=oldest, limit=limit))
    if request.unaccompanied and not shelter.accepts_unaccompanied_minors:
        reasons.append(Reason("h4_no_minors",
                              "H4: this shelter does not take unaccompanied minors"))
    return reasons


def oldest_boy(request: Request) -> int | None:
    """Age of the oldest accompanying boy, or None."""
    ages = [p.age for p in request.accompanying_children if p.gender == "male"]
    return max(ages) if ages else None


def h4_gender_policy(request: Request, shelter: Shelter) -> str | None:
    """H4 as one sentence (the first breach), or None."""
    reasons = h4_reasons(request, shelter)
    return reasons[0] if reasons else None


def nearest_suspect_km(request: Request, shelter: Shelter) -> float:
    """Internal only (never shown): the shortest distance from the shelter's point (its area's
    anchor when it has one) to a suspect."""
    return min((haversine_km(s.lat, s.lon, shelter.lat, shelter.lon) for s in request.suspects),
               default=float("inf"))


def suspect_in_municipality(request: Request, shelter: Shelter) -> bool:
    """A suspect's municipality is one the shelter's area touches (its own, without an area)."""
    towns = shelter.area_towns
    return any(s.municipality is not None and s.municipality in towns for s in request.suspects)


def h6_threshold_km(policy: Policy, request: Request, shelter: Shelter) -> float:
    """The distance H6 keeps from the shelter's point: the policy's, plus the privacy radius.

    By the triangle inequality, a suspect at least this far from the anchor is at least the
    policy's distance from wherever inside the area the shelter really is.
    """
    return policy.min_suspect_distance_km[request.risk] + shelter.location_radius_km


def h6_suspects(policy: Policy, request: Request, shelter: Shelter) -> str | None:
    """H6: at least min_suspect_distance_km[risk] from every suspect, not in their municipality."""
    if suspect_in_municipality(request, shelter):
        return h6_municipality_sentence(shelter)
    if nearest_suspect_km(request, shelter) < h6_threshold_km(policy, request, shelter):
        return h6_distance_sentence(policy, request, shelter)
    return None


H6_MUNICIPALITY = Reason("h6_municipality",
                         "H6: the shelter is in the municipality of a known suspect")
H6_AREA_MUNICIPALITY = Reason(
    "h6_area_municipality", "H6: the shelter's area touches the municipality of a known suspect"
)
H7_SENTENCE = Reason("h7_keep_apart",
                     "H7: a case this person must be kept apart from is at this shelter")


def h6_municipality_sentence(shelter: Shelter) -> str:
    return H6_AREA_MUNICIPALITY if shelter.has_area else H6_MUNICIPALITY


def h6_distance_sentence(policy: Policy, request: Request, shelter: Shelter) -> str:
    """The rule and its whole threshold: all of it public (policy and the area's radius)."""
    threshold = policy.min_suspect_distance_km[request.risk]
    radius = shelter.location_radius_km
    if not radius:
        return Reason("h6_distance", f"H6: a known suspect is within the minimum distance of"
                      f" {threshold:g} km for {request.risk} risk", km=threshold, risk=request.risk)
    return Reason("h6_area_distance",
                  f"H6: a known suspect is within {threshold + radius:g} km of the shelter's area"
                  f" (policy {threshold:g} km for {request.risk} risk + {radius:g} km privacy"
                  " radius)", total=threshold + radius, km=threshold, radius=radius,
                  risk=request.risk)


def h7_keep_apart(request: Request, shelter: Shelter) -> str | None:
    """H7 (shelter side): a shelter where a case to keep apart from resides is excluded."""
    if shelter.id in request.exclude_shelters:
        return H7_SENTENCE
    return None


def h8_needs(request: Request, shelter: Shelter) -> str | None:
    """H8: a wheelchair user needs a wheelchair-accessible shelter."""
    if WHEELCHAIR in request.needs and not shelter.wheelchair_accessible:
        return Reason("h8_wheelchair", "H8: the shelter is not wheelchair accessible")
    return None


def profile_reasons(policy: Policy, request: Request, shelter: Shelter) -> dict[str, str]:
    """H3, H4 and H8: the rules that depend only on who the request is, not where it is."""
    reasons = {}
    for code, reason in (("H3", h3_kind(policy, request, shelter)),
                         ("H4", h4_gender_policy(request, shelter)),
                         ("H8", h8_needs(request, shelter))):
        if reason:
            reasons[code] = reason
    return reasons


def shelter_reasons(policy: Policy, request: Request, shelter: Shelter) -> dict[str, str]:
    """Every shelter-level rule (H3, H4, H6, H7, H8) the shelter breaks for the request."""
    reasons = profile_reasons(policy, request, shelter)
    for code, reason in (("H6", h6_suspects(policy, request, shelter)),
                         ("H7", h7_keep_apart(request, shelter))):
        if reason:
            reasons[code] = reason
    return dict(sorted(reasons.items()))


# --- room-level rules -------------------------------------------------------------------------

def room_genders(room: Room) -> frozenset[str]:
    """Genders a non-family room may still take, counting its occupants and its holds.

    A non-family room holds one gender. Occupants fix it; an `any` room with held beds and no
    occupants is closed, because the gender of whoever holds those beds is not in the instance.
    """
    if room.kind == "family":
        return frozenset()
    present = {o.gender for o in room.occupants}
    allowed = {"female", "male"} if room.gender == "any" else {room.gender}
    if present:
        allowed &= present if len(present) == 1 else set()
    elif room.gender == "any" and room.held:
        allowed = set()
    return frozenset(allowed)


def family_room_free(room: Room) -> bool:
    """A family room takes a group only when nobody occupies or holds any of its beds."""
    return room.kind == "family" and not room.occupants and room.held == 0


def h5_room(request: Request, room: Room) -> str | None:
    """H5 for one request entering one room on its own."""
    if room.kind == "family":
        if family_room_free(room):
            return None
        return Reason("h5_family_in_use",
                      "H5: a family room takes one group at a time and this one is in use")
    if request.needs_family_room:
        return Reason("h5_needs_family", "H5: this group needs a family room to itself")
    if room.kind != request.age_kind:
        return Reason("h5_age_kind", f"H5: this group needs a {request.age_kind} room or an"
                      " empty family room", room_kind=request.age_kind)
    if request.gender not in room_genders(room):
        return Reason("h5_two_genders",
                      "H5: a room other than a family room never holds two genders")
    return None


def h1_capacity(request: Request, room: Room) -> str | None:
    """H1 for one request entering one room: occupied + held + new persons <= beds."""
    if request.size <= room.free:
        return None
    return Reason("h1_beds", f"H1: not enough free beds for a group of {request.size}",
                  size=request.size)


def room_rule_reasons(request: Request, shelter: Shelter) -> tuple[list[Room], dict[str, str]]:
    """Rooms of the shelter the request can enter (H1, H2, H5) and, if none, the rules why."""
    suitable = [room for room in shelter.rooms if h5_room(request, room) is None]
    fitting = [room for room in suitable if h1_capacity(request, room) is None]
    if fitting:
        return sorted(fitting, key=_room_preference), {}
    if not suitable:
        if request.needs_family_room:
            return [], {"H5": Reason("h5_no_family_free", "H5: this group needs an empty"
                                     " family room and none is free here")}
        return [], {"H5": Reason("h5_no_room", f"H5: no {request.age_kind} room for this group's"
                                 " gender and no empty family room here",
                                 room_kind=request.age_kind)}
    pooled = sum(room.free for room in suitable if room.kind != "family")
    if request.size > 1 and pooled >= request.size:
        return [], {"H2": Reason("h2_together", f"H2: no single room here can keep the group of"
                                 f" {request.size} together", size=request.size)}
    return [], {"H1": Reason("h1_beds", f"H1: not enough free beds here for a group of"
                             f" {request.size}", size=request.size)}


def _room_preference(room: Room) -> tuple:
    # Keep family rooms for families and big rooms for big groups: fill the tightest room first.
    return (room.kind == "family", room.free)


# --- fit and ranking --------------------------------------------------------------------------

def language_points(request: Request, shelter: Shelter) -> int:
    """L2 language part: 2 for a shared staff language, else 1 for interpretation, else 0."""
    if set(request.languages) & set(shelter.languages):
        return 2
    return 1 if "interpretation" in shelter.services else 0


def need_points(request: Request, shelter: Shelter) -> int:
    """L2 needs part: 1 per need (other than wheelchair, a hard rule) the services meet."""
    return sum(1 for need in set(request.needs) if need != WHEELCHAIR and need in shelter.services)


def fit(request: Request, shelter: Shelter) -> int:
    return language_points(request, shelter) + need_points(request, shelter)


def travel_km(request: Request, shelter: Shelter) -> int:
    """L3 per assignment: floor(km + 0.5) from the request's location to the shelter's point
    (its area's anchor when it has one)."""
    loc = request.location
    return rounded_km(haversine_km(loc.lat, loc.lon, shelter.lat, shelter.lon))


@dataclass(frozen=True)
class Option:
    """A feasible (shelter, room) for one request with its fit broken down.

    `travel_km` is the L3 number (internal: the service shows it as a band, never raw).
    """

    shelter: Id
    room: Id
    fit: int
    language_points: int
    need_points: int
    travel_km: int


@dataclass(frozen=True)
class Ranking:
    """`rank`'s answer: options best first, every other shelter's exclusion, relaxations."""

    request: Id
    options: tuple[Option, ...]
    excluded: tuple[Exclusion, ...]
    relaxations: tuple[Relaxation, ...]


def shelter_verdict(policy: Policy, request: Request,
                    shelter: Shelter) -> tuple[list[Room], dict[str, str]]:
    """Rooms the request can enter at this shelter, and every rule that excludes it."""
    reasons = shelter_reasons(policy, request, shelter)
    rooms, room_reasons = room_rule_reasons(request, shelter)
    reasons.update(room_reasons)
    if reasons:
        return [], dict(sorted(reasons.items()))
    return rooms, {}


def rank(instance, request_id: Id, *, relaxations: bool | None = None) -> Ranking:
    """Feasible (shelter, room) options for one request against the current beds.

    Options are ordered by fit (L2) descending, then travel (L3) ascending, then the instance's
    shelter order and the tightest room. Every shelter without an option comes back in `excluded`
    with its rule codes and sentences. `relaxations` are computed when asked, or by default when
    the request has no option at all.
    """
    request = instance.request(request_id)
    options, excluded = [], []
    for index, shelter in enumerate(instance.shelters):
        rooms, reasons = shelter_verdict(instance.policy, request, shelter)
        if reasons:
            excluded.append(Exclusion(shelter.id, tuple(reasons), tuple(reasons.values())))
            continue
        lang, needs, km = (language_points(request, shelter), need_points(request, shelter),
                           travel_km(request, shelter))
        for order, room in enumerate(rooms):
            options.append(((-(lang + needs), km, index, order),
                            Option(shelter.id, room.id, lang + needs, lang, needs, km)))
    options.sort(key=lambda pair: pair[0])
    if relaxations is None:
        relaxations = not options
    found: tuple[Relaxation, ...] = ()
    if relaxations:
        from .explain import relaxations_for
        found = relaxations_for(instance, request, excluded)
    return Ranking(request.id, tuple(o for _, o in options), tuple(excluded), found)
