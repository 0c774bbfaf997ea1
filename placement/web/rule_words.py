"""Proposals in words: why a shelter is excluded (H1-H8), what would relax it, how an option fits.

The API says each exclusion in English and, beside it, the sentence's template key and the
parameters it was built from (the rule's threshold, the group's figures). Pages build the same
sentence in the user's language from that key and those parameters; a key this table does not
know falls back to the API's English sentence.
"""

from flask_babel import lazy_gettext as _l

from placement.web.labels import label

TEMPLATES = {
    "h1_beds": _l("H1: not enough free beds for a group of %(size)s"),
    "h2_together": _l("H2: no single room here can keep the group of %(size)s together"),
    "h3_kind": _l("H3: a case of %(category)s at %(risk)s risk may be placed only in: "
                  "%(allowed)s"),
    "h4_women": _l("H4: this shelter takes women and girls only"),
    "h4_men": _l("H4: this shelter takes men and boys only"),
    "h4_no_children": _l("H4: this shelter does not take accompanying children"),
    "h4_boy_age": _l("H4: a boy aged %(age)s is over this shelter's limit of %(limit)s for "
                     "accompanying boys"),
    "h4_no_minors": _l("H4: this shelter does not take unaccompanied minors"),
    "h5_family_in_use": _l("H5: a family room takes one group at a time and this one is in use"),
    "h5_needs_family": _l("H5: this group needs a family room to itself"),
    "h5_age_kind": _l("H5: this group needs a room of the kind “%(room_kind)s” or an empty "
                      "family room"),
    "h5_two_genders": _l("H5: a room other than a family room never holds two genders"),
    "h5_no_family_free": _l("H5: this group needs an empty family room and none is free here"),
    "h5_no_room": _l("H5: no room of the kind “%(room_kind)s” for this group's gender and no "
                     "empty family room here"),
    "h6_municipality": _l("H6: the shelter is in the municipality of a known suspect"),
    "h6_area_municipality": _l("H6: the shelter's area touches the municipality of a known "
                               "suspect"),
    "h6_distance": _l("H6: a known suspect is within the minimum distance of %(km)s km for "
                      "%(risk)s risk"),
    "h6_area_distance": _l("H6: a known suspect is within %(total)s km of the shelter's area "
                           "(policy %(km)s km for %(risk)s risk + %(radius)s km privacy radius)"),
    "h7_keep_apart": _l("H7: a case this person must be kept apart from is at this shelter"),
    "h8_wheelchair": _l("H8: the shelter is not wheelchair accessible"),
}
SECURITY = {"high": _l("high security"), "standard": _l("standard security")}


def _allowed(specs):
    named = []
    for spec in specs:
        kind, _, level = spec.partition("/")
        words = label("shelter_kind", kind)
        named.append(f"{words} ({SECURITY[level]})" if level in SECURITY else words)
    return "; ".join(named) or "-"


def reason_sentence(detail, english):
    """One exclusion sentence in the page's language, from the API's key and parameters."""
    template = TEMPLATES.get(detail.get("key"))
    if template is None:
        return english
    params = dict(detail.get("params") or {})
    if "category" in params:
        params["category"] = label("category", params["category"]).lower()
    if "risk" in params:
        params["risk"] = label("risk", params["risk"]).lower()
    if "allowed" in params:
        params["allowed"] = _allowed(params["allowed"])
    if "room_kind" in params:
        params["room_kind"] = label("room_kind", params["room_kind"])
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return english


def relaxation_sentence(relaxation):
    """What one change would make placeable, from the relaxation's parameter and figures."""
    parameter, current, relaxed = (relaxation["parameter"], relaxation["current"],
                                   relaxation["relaxed"])
    if parameter == "max_accompanying_boy_age":
        return str(_l("Would fit if this shelter took accompanying boys up to age %(relaxed)s "
                      "(its limit now: %(current)s)", relaxed=relaxed, current=current))
    if parameter.startswith("min_suspect_distance_km."):
        risk = label("risk", parameter.partition(".")[2]).lower()
        return str(_l("Would fit if the minimum distance from known suspects for %(risk)s risk "
                      "were %(relaxed)s km (now: %(current)s km)", risk=risk,
                      relaxed=f"{relaxed:g}", current=f"{current:g}"))
    if parameter == "beds" and isinstance(current, int) and isinstance(relaxed, int):
        return str(_l("Would fit with %(count)s more bed(s) in one room", count=relaxed - current))
    return relaxation["message"]


def fit_words(option, persons, shelter):
    """How an option fits, in words: a shared language or interpretation, and the needs met."""
    spoken = sorted({code for p in persons for code in p.get("languages", [])})
    shared = [code for code in spoken if code in (shelter.languages or [])]
    if shared:
        language = _l("Staff speak %(languages)s",
                      languages=", ".join(label("language", c) for c in shared))
    elif option["fit"]["language"]:
        language = _l("No shared language: interpretation available")
    else:
        language = _l("No shared language and no interpretation")
    needs = sorted({n for p in persons for n in p.get("needs", [])} - {"wheelchair"})
    met = [n for n in needs if n in (shelter.services or [])]
    missing = [n for n in needs if n not in met]
    return {
        "language": str(language),
        "met": [label("need", n) for n in met],
        "missing": [label("need", n) for n in missing],
    }
