"""Words for the API's codes on pages (categories, risks, bed states, reasons...), in the page's
language.

The API speaks in codes (``dv``, ``medium``, ``held``); pages say them in words. One table per kind
of code, looked up by the template global ``label(kind, code)``, so a state reads the same on every
page; an unknown code is shown as it is, so a new code never breaks a page.
"""

from flask_babel import lazy_gettext as _l

LABELS = {
    # What each hard rule means, by its code: for overrides and summaries that name a rule
    # without its figures (the sentences with figures are placement/web/rule_words.py's).
    "rule": {
        "H1": _l("There are not enough free beds for the whole group."),
        "H2": _l("No single room can keep the group together."),
        "H3": _l("The shelter's kind or security level is not allowed for this category and "
                 "risk."),
        "H4": _l("The shelter's policy on gender, children or minors does not take this group."),
        "H5": _l("No room of the kind this group needs (family, adults, minors, one gender) is "
                 "free."),
        "H6": _l("It is too close to a known suspect, or in a suspect's municipality."),
        "H7": _l("A case this person must be kept apart from is at this shelter."),
        "H8": _l("The shelter does not meet a need of this group, such as wheelchair access."),
    },
    "bed": {
        "available": _l("Free"),
        "held": _l("Held"),
        "occupied": _l("Occupied"),
        "out_of_service": _l("Out of service"),
    },
    "gender": {"female": _l("Female"), "male": _l("Male"), "any": _l("Any gender")},
    # Short words for board and tables; proposals use the longer freshness_long.
    "freshness": {"fresh": _l("Fresh"), "aging": _l("Aging"), "stale": _l("Stale")},
    "decline": {
        "no_capacity": _l("No capacity"),
        "safety_concern": _l("Safety concern"),
        "needs_not_met": _l("Needs we cannot meet"),
        "other": _l("Other reason"),
    },
    "discharge": {
        "planned_departure": _l("Planned departure"),
        "returned_home": _l("Returned home"),
        "independent_living": _l("Independent living"),
        "left_voluntarily": _l("Left voluntarily"),
        "rules_breach": _l("Breach of house rules"),
        "safety": _l("Safety"),
        "repatriated": _l("Repatriated"),
        "other": _l("Other reason"),
    },
    "hold": {
        "active": _l("Waiting for your answer"),
        "accepted": _l("Accepted"),
        "declined": _l("Declined"),
        "cancelled": _l("Cancelled"),
        "expired": _l("Expired"),
        "released": _l("Released"),
        "used": _l("Used"),
    },
    "placement": {
        "accepted": _l("Expected to arrive"),
        "placed": _l("Living here"),
        "no_show": _l("Did not arrive"),
        "discharged": _l("Discharged"),
        "transferred": _l("Transferred"),
        "cancelled": _l("Cancelled"),
    },
    # Why a bed goes out of service or back: the reason select of the bed board.
    "bed_reason": {
        "repair": _l("Repair"),
        "cleaning": _l("Cleaning"),
        "staff_shortage": _l("Staff shortage"),
        "safety": _l("Safety"),
        "back_in_service": _l("Ready again"),
        "other": _l("Other reason"),
    },
    "kind": {"thb": _l("Trafficking"), "dv": _l("Domestic violence")},
    "security": {"standard": _l("Standard"), "high": _l("High")},
    "gender_policy": {"women": _l("Women"), "men": _l("Men"), "any": _l("Any gender")},
    "disclosure": {"municipality": _l("Municipality"), "region": _l("Region only")},
    "category": {"thb": _l("Trafficking in human beings"), "dv": _l("Domestic violence")},
    "risk": {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")},
    "person_role": {"primary": _l("Primary person"), "adult": _l("Accompanying adult"),
                    "child": _l("Child")},
    "case_status": {"open": _l("Open"), "closed": _l("Closed")},
    "referral_source": {
        "police": _l("Police"), "social_work_centre": _l("Centre for social work"),
        "victims_advocate": _l("Victims' advocate"), "ngo": _l("Non-governmental organisation"),
        "labour_inspectorate": _l("Labour inspectorate"), "health": _l("Health services"),
        "self": _l("Came by themselves"), "other": _l("Other"),
    },
    "identifying_authority": {
        "police": _l("Police"), "border_police": _l("Border police"),
        "prosecutor": _l("Prosecutor"), "labour_inspectorate": _l("Labour inspectorate"),
        "social_work_centre": _l("Centre for social work"),
        "victims_advocate": _l("Victims' advocate"), "ngo": _l("Non-governmental organisation"),
        "other": _l("Other"),
    },
    "urgency": {"routine": _l("Routine"), "urgent": _l("Urgent"), "emergency": _l("Emergency")},
    "request_status": {"open": _l("Open: no bed yet"), "held": _l("Beds held"),
                       "accepted": _l("Accepted by a shelter"), "placed": _l("Arrived"),
                       "ended": _l("Ended")},
    "hold_status": {"active": _l("Held, waiting for the shelter"),
                    "accepted": _l("Accepted"), "declined": _l("Declined"),
                    "cancelled": _l("Cancelled"), "expired": _l("Expired"),
                    "released": _l("Released"), "used": _l("Used")},
    "placement_status": {"accepted": _l("Accepted, not arrived yet"), "placed": _l("Arrived"),
                         "no_show": _l("Did not arrive"), "discharged": _l("Left the shelter"),
                         "transferred": _l("Transferred"), "cancelled": _l("Cancelled")},
    "run_status": {"queued": _l("Waiting for the optimizer"), "running": _l("Being solved"),
                   "succeeded": _l("Finished"), "failed": _l("Failed")},
    "room_kind": {"adult": _l("Room for adults"), "minor": _l("Room for minors"),
                  "family": _l("Family room")},
    "freshness_long": {"fresh": _l("Beds confirmed in the last 2 hours"),
                  "aging": _l("Beds confirmed 2 to 8 hours ago"),
                  "stale": _l("Beds not confirmed for over 8 hours")},
    "travel": {"under 30 minutes": _l("Under 30 minutes away"),
               "30 to 60 minutes": _l("30 to 60 minutes away"),
               "1 to 2 hours": _l("1 to 2 hours away"), "over 2 hours": _l("Over 2 hours away")},
    "shelter_kind": {"thb": _l("shelter for victims of trafficking"),
                     "dv": _l("shelter for victims of domestic violence")},
    "language": {"sq": _l("Albanian"), "sr": _l("Serbian"), "en": _l("English"),
                 "tr": _l("Turkish"), "bs": _l("Bosnian"), "ro": _l("Romanian"),
                 "ru": _l("Russian"), "uk": _l("Ukrainian"), "de": _l("German"),
                 "it": _l("Italian"), "fr": _l("French")},
    "need": {"legal": _l("legal aid"), "medical": _l("medical care"),
             "psychological": _l("psychological support"), "education": _l("schooling"),
             "interpretation": _l("interpretation"), "wheelchair": _l("wheelchair access")},
    "event": {
        "request.created": _l("Request made"), "hold.created": _l("Beds held"),
        "hold.accepted": _l("The shelter accepted"), "hold.declined": _l("The shelter declined"),
        "hold.cancelled": _l("Hold cancelled"), "hold.expired": _l("Hold expired"),
        "hold.released": _l("Hold released"), "request.override": _l("A rule was overridden"),
        "placement.arrived": _l("Arrived at the shelter"),
        "placement.no_show": _l("Did not arrive"), "placement.discharged": _l("Left the shelter"),
        "placement.transferred": _l("Transferred"), "request.ended": _l("Request ended"),
    },
    "notification": {
        "hold.created": _l("Beds were held"), "hold.accepted": _l("A shelter accepted the hold"),
        "hold.declined": _l("A shelter declined the hold"),
        "hold.expired": _l("A hold expired"), "hold.cancelled": _l("A hold was cancelled"),
        "shelter.stale": _l("A shelter's beds are not confirmed"),
    },
}


def label(kind, code):
    """The words for `code` of `kind` in the page's language; the code itself if unknown."""
    if code is None:
        return ""
    return str(LABELS.get(kind, {}).get(code, code))


def choices(kind, values=None, blank=None):
    """(code, words) pairs for a select, in the table's order (or `values`' order), with an
    optional first blank choice."""
    table = LABELS[kind]
    pairs = [(code, table.get(code, code)) for code in (values or table)]
    return ([("", blank)] if blank is not None else []) + pairs


def rule_sentence(code):
    """What the hard rule `code` means, in the page's language."""
    return label("rule", code)


def register(app):
    app.add_template_global(label, "label")
    app.add_template_global(rule_sentence, "rule_sentence")
