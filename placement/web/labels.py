"""Words for the closed lists pages show (bed states, reasons, genders...), in the page's language.

One place for each list, so a state reads the same on every page; `label(kind, value)` falls back
to the value itself for anything not listed.
"""

from flask_babel import lazy_gettext as _l

LABELS = {
    "bed": {
        "available": _l("Free"),
        "held": _l("Held"),
        "occupied": _l("Occupied"),
        "out_of_service": _l("Out of service"),
    },
    "gender": {"female": _l("Female"), "male": _l("Male"), "any": _l("Any gender")},
    "room_kind": {"adult": _l("Adults"), "minor": _l("Minors"), "family": _l("Family")},
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
    "category": {"thb": _l("Trafficking"), "dv": _l("Domestic violence")},
    "risk": {"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")},
    "urgency": {"routine": _l("Routine"), "urgent": _l("Urgent"), "emergency": _l("Emergency")},
    "person_role": {"primary": _l("Adult"), "child": _l("Child"), "adult": _l("Adult")},
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
}


def label(kind, value):
    if value is None:
        return ""
    return str(LABELS.get(kind, {}).get(value, value))


def choices(kind, values=None):
    """(value, label) pairs for a select, in the list's order (or `values`' order)."""
    table = LABELS[kind]
    return [(value, table.get(value, value)) for value in (values or table)]


def register(app):
    app.add_template_global(label, "label")
