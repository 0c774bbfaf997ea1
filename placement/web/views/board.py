"""The bed board of one shelter, for its manager: beds and their states, walk-ins, "still current".

Every action is the capacity API's transition (placement/resources/capacity): the same scope
(access.*_for_capacity: another shelter's bed is 404), the same service call and audit. With htmx
a form swaps only its own bed row and tells the freshness panel to refresh; without JavaScript it
posts and comes back to the board.
"""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from placement import clock
from placement.errors import Conflict, RuleViolation
from placement.extensions import db
from placement.models.shelter import PERSON_GENDERS
from placement.services import access, capacity, shelters
from placement.web.auth import page, page_user
from placement.web.labels import LABELS, choices
from placement.web.transaction import PageBlueprint

bp = PageBlueprint("web_board", __name__, url_prefix="/shelter-manager")
BOARD_CHANGED = "streha-board-changed"
OUT_REASONS = ("repair", "cleaning", "staff_shortage", "safety", "other")
BACK_REASONS = ("back_in_service", "other")


class _RowForm(FlaskForm):
    # CSRFProtect guards every page POST already; row forms carry the page's csrf_token field.
    class Meta:
        csrf = False


class OutOfServiceForm(_RowForm):
    reason = SelectField(_l("Reason"), choices=lambda: choices("bed_reason", OUT_REASONS),
                         validators=[InputRequired(_l("Choose a reason"))])


class BackInServiceForm(_RowForm):
    reason = SelectField(_l("Reason"), choices=lambda: choices("bed_reason", BACK_REASONS),
                         validators=[InputRequired(_l("Choose a reason"))])


class WalkInForm(_RowForm):
    gender = SelectField(_l("Gender"), choices=lambda: [("", _("Choose"))]
                         + choices("gender", PERSON_GENDERS),
                         validators=[InputRequired(_l("Choose the gender"))])
    age = IntegerField(_l("Age"), validators=[
        InputRequired(_l("Enter the age in years")),
        NumberRange(0, 120, _l("Enter an age from 0 to 120"))])
    group = StringField(_l("Group"), validators=[
        InputRequired(_l("Enter a group label: the same for one family")), Length(max=60)])


def _forms(bed, posted=None, kind=None):
    """The row's forms, each with a prefix unique to the bed; `posted` replaces the one used."""
    prefix = f"bed{bed.id}"
    forms = {
        "out": OutOfServiceForm(prefix=f"{prefix}-out", formdata=None),
        "back": BackInServiceForm(prefix=f"{prefix}-back", formdata=None),
        "walk_in": WalkInForm(prefix=f"{prefix}-in", formdata=None),
    }
    if posted is not None:
        forms[kind] = posted
    return forms


def _freshness(shelter):
    moment = clock.now()
    since = (moment - shelter.confirmed_at) if shelter.confirmed_at else None
    return {"state": capacity.freshness(shelter, moment), "since": since}




@bp.route("/shelters/<int:shelter_id>/board")
@page("shelter_manager")
def board(shelter_id):
    shelter = access.shelter_for_capacity(page_user(), shelter_id)
    return _board_page(shelter)


def _board_page(shelter, failed_bed=None, form=None, kind=None, error=None, status=200):
    rows, rooms = {}, shelters.rooms_with_beds(shelter)
    for room in rooms:
        for bed in room.beds:
            if bed.removed_at is None:
                mine = failed_bed is not None and bed.id == failed_bed.id
                rows[bed.id] = {"forms": _forms(bed, form if mine else None, kind),
                                "error": error if mine else None}
    body = render_template("board/board.html", shelter=shelter, rooms=rooms,
                           rows=rows, freshness=_freshness(shelter), labels=LABELS)
    return body, status


@bp.route("/shelters/<int:shelter_id>/freshness")
@page("shelter_manager")
def freshness(shelter_id):
    shelter = access.shelter_for_capacity(page_user(), shelter_id)
    return render_template("board/_freshness.html", shelter=shelter, freshness=_freshness(shelter))


@bp.route("/shelters/<int:shelter_id>/confirm", methods=["POST"])
@page("shelter_manager")
def confirm(shelter_id):
    shelter = access.shelter_for_capacity(page_user(), shelter_id)
    capacity.confirm(shelter, page_user())
    if request.headers.get("HX-Request"):
        return render_template("board/_freshness.html", shelter=shelter,
                               freshness=_freshness(shelter), confirmed=True)
    return redirect(url_for(".board", shelter_id=shelter.id, confirmed=1))


@bp.route("/beds/<int:bed_id>/out-of-service", methods=["POST"])
@page("shelter_manager")
def out_of_service(bed_id):
    return _bed_action(bed_id, OutOfServiceForm, "out",
                       lambda bed, form, user: capacity.set_bed_status(
                           bed, "out_of_service", form.reason.data, user))


@bp.route("/beds/<int:bed_id>/back-in-service", methods=["POST"])
@page("shelter_manager")
def back_in_service(bed_id):
    return _bed_action(bed_id, BackInServiceForm, "back",
                       lambda bed, form, user: capacity.set_bed_status(
                           bed, "available", form.reason.data, user))


@bp.route("/beds/<int:bed_id>/walk-in", methods=["POST"])
@page("shelter_manager")
def walk_in(bed_id):
    def admit(bed, form, user):
        occupant = {"gender": form.gender.data, "age": form.age.data,
                    "group": form.group.data.strip()}
        capacity.admit_resident(bed, occupant, "arrived outside the system", user)

    return _bed_action(bed_id, WalkInForm, "walk_in", admit)


@bp.route("/beds/<int:bed_id>/departure", methods=["POST"])
@page("shelter_manager")
def departure(bed_id):
    return _bed_action(bed_id, _RowForm, None,
                       lambda bed, form, user: capacity.record_departure(
                           bed, "resident left", user))


def _bed_action(bed_id, form_class, kind, change):
    """Validate the row's form, make the change in one transaction, answer with the row."""
    user = page_user()
    bed = access.bed_for_capacity(user, bed_id)
    prefix = {"out": "out", "back": "back", "walk_in": "in"}.get(kind)
    form = form_class(prefix=f"bed{bed.id}-{prefix}") if prefix else form_class()
    error = None
    if form.validate_on_submit():
        try:
            change(bed, form, user)
            return _answer(bed)
        except (Conflict, RuleViolation) as refusal:
            db.session.rollback()
            error = _refusal_words(refusal)
            db.session.refresh(bed)
    return _answer(bed, form, kind, error or _("Check the fields of this bed"), status=422)


def _refusal_words(refusal):
    """The service's refusal in the reader's language, by the field it names."""
    if isinstance(refusal, Conflict):
        return _("Someone changed this bed first: it shows its state now.")
    message = refusal.message
    if message.startswith("age"):
        return _("This room does not take a person of this age.")
    if message.startswith("gender"):
        return _("This room does not take this person: its gender rule or the persons in it.")
    if message.startswith("group"):
        return _("This family room is taken by another group.")
    return _("This bed cannot take this person.")


def _answer(bed, form=None, kind=None, error=None, status=200):
    if not request.headers.get("HX-Request"):
        if form is None:
            return redirect(url_for(".board", shelter_id=bed.room.shelter_id) + f"#bed-{bed.id}")
        return _board_page(bed.room.shelter, bed, form, kind, error, status)
    body = render_template("board/_bed_row.html", bed=bed, room=bed.room,
                           row={"forms": _forms(bed, form, kind), "error": error})
    # htmx swaps a refused row as well: the errors belong next to its fields.
    return body, status, {"HX-Trigger": BOARD_CHANGED} if form is None else {}
