"""Words for the workflow's codes: the hard rules H1-H8 in a person's words, in the page's language.

The optimizer's own sentences are English and carry figures; pages say what each rule means, by
its code, so the same words serve every page that explains an exclusion or an override.
"""

from flask_babel import lazy_gettext as _l

RULE_SENTENCES = {
    "H1": _l("There are not enough free beds for the whole group."),
    "H2": _l("No single room can keep the group together."),
    "H3": _l("The shelter's kind or security level is not allowed for this category and risk."),
    "H4": _l("The shelter's policy on gender, children or minors does not take this group."),
    "H5": _l("No room of the kind this group needs (family, adults, minors, one gender) is free."),
    "H6": _l("It is too close to a known suspect, or in a suspect's municipality."),
    "H7": _l("A case this person must be kept apart from is at this shelter."),
    "H8": _l("The shelter does not meet a need of this group, such as wheelchair access."),
}


def rule_sentence(code):
    """The rule `code` explained (the code itself if unknown)."""
    sentence = RULE_SENTENCES.get(code)
    return str(sentence) if sentence is not None else code



URGENCY_LABELS = {
    "routine": _l("Routine"),
    "urgent": _l("Urgent"),
    "emergency": _l("Emergency"),
}
ROOM_KIND_LABELS = {
    "adult": _l("adults' room"),
    "minor": _l("minors' room"),
    "family": _l("family room"),
}


def urgency_label(code):
    return str(URGENCY_LABELS.get(code, code))


def room_kind_label(code):
    return str(ROOM_KIND_LABELS.get(code, code or ""))


STATUS_LABELS = {
    "open": _l("open"),
    "held": _l("held"),
    "accepted": _l("accepted"),
    "placed": _l("placed"),
    "ended": _l("ended"),
}
RISK_LABELS = {"low": _l("low risk"), "medium": _l("medium risk"), "high": _l("high risk")}
PERSON_ROLE_LABELS = {"primary": _l("primary person"), "child": _l("child"),
                      "adult": _l("accompanying adult")}
EVENT_LABELS = {
    "request.created": _l("Request made"),
    "request.override": _l("Rules lifted by a coordinator"),
    "request.ended": _l("Request ended"),
    "hold.created": _l("Beds held"),
    "hold.accepted": _l("Hold accepted by the shelter"),
    "hold.declined": _l("Hold declined by the shelter"),
    "hold.expired": _l("Hold expired"),
    "hold.cancelled": _l("Hold cancelled"),
    "hold.released": _l("Hold released"),
    "placement.arrived": _l("Arrived at the shelter"),
    "placement.no_show": _l("Did not arrive"),
    "placement.discharged": _l("Left the shelter"),
    "placement.transferred": _l("Transferred"),
}
DECLINE_LABELS = {
    "no_capacity": _l("No capacity"),
    "safety_concern": _l("Safety concern"),
    "needs_not_met": _l("Needs cannot be met"),
    "other": _l("Other reason"),
}
FRESHNESS_LABELS = {"fresh": _l("fresh"), "aging": _l("aging"), "stale": _l("stale")}
GENDER_LABELS = {"female": _l("female"), "male": _l("male")}


def _label(labels):
    def label(code):
        return str(labels.get(code, code or ""))

    return label


status_label = _label(STATUS_LABELS)
risk_label = _label(RISK_LABELS)
person_role_label = _label(PERSON_ROLE_LABELS)
gender_label = _label(GENDER_LABELS)
freshness_label = _label(FRESHNESS_LABELS)
event_label = _label(EVENT_LABELS)
decline_label = _label(DECLINE_LABELS)


def register(app):
    app.add_template_global(status_label, "status_label")
    app.add_template_global(risk_label, "risk_label")
    app.add_template_global(person_role_label, "person_role_label")
    app.add_template_global(gender_label, "gender_label")
    app.add_template_global(freshness_label, "freshness_label")
    app.add_template_global(event_label, "event_label")
    app.add_template_global(decline_label, "decline_label")
    for helper in (rule_sentence, urgency_label, room_kind_label):
        app.add_template_global(helper, helper.__name__)
