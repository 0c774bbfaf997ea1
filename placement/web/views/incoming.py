"""Incoming holds and residents of a shelter manager's shelters: accept, decline, arrival,
no-show, discharge.

Each button is the API's transition (placement/resources/holds, placements): the same scoped
lookup (another shelter's hold is 404), service call and audit. The list of waiting holds polls
with htmx: the server answers 204 while nothing new came, so a form being filled is not wiped.
"""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from placement import clock
from placement.errors import Conflict, RuleViolation
from placement.extensions import db
from placement.models.workflow import DECLINE_REASONS, DISCHARGE_REASONS
from placement.services import holds, placements
from placement.web.auth import page, page_user
from placement.web.labels import choices
from placement.web.transaction import PageBlueprint

bp = PageBlueprint("web_incoming", __name__, url_prefix="/shelter-manager")
ROLE = ("shelter_manager",)
# Enough for every hold a shelter manager answers in a night; older ones are in the API.
WAITING_LIMIT = 50


class DeclineForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks the page's csrf_token on every POST

    reason = SelectField(_l("Reason"),
                         choices=lambda: [("", _("Choose"))] + choices("decline", DECLINE_REASONS),
                         validators=[InputRequired(_l("Choose why you decline"))])
    note = TextAreaField(_l("Note for the case manager (optional)"),
                         validators=[Optional(), Length(max=500, message=_l(
                             "Write at most 500 characters"))])


class DischargeForm(FlaskForm):
    class Meta:
        csrf = False

    reason = SelectField(_l("Reason"),
                         choices=lambda: [("", _("Choose"))]
                         + choices("discharge", DISCHARGE_REASONS),
                         validators=[InputRequired(_l("Choose why the stay ends"))])


def _waiting(user):
    rows, _total = holds.list_holds(user, WAITING_LIMIT, 0, status="active")
    return rows


def _context(user, forms=None, errors=None):
    moment = clock.now()
    waiting = _waiting(user)
    expected = placements.list_at_my_shelters(user, ("accepted",))
    living = placements.list_at_my_shelters(user, ("placed",))
    forms = forms or {}
    for hold in waiting:
        forms.setdefault(("decline", hold.id), DeclineForm(prefix=f"hold{hold.id}", formdata=None))
    for placement in living:
        forms.setdefault(("discharge", placement.id),
                         DischargeForm(prefix=f"placement{placement.id}", formdata=None))
    return {
        "waiting": waiting, "expected": expected, "living": living, "moment": moment,
        "forms": forms, "errors": errors or {}, "transfer_for": placements.transfer_for,
        "known": ",".join(str(h.id) for h in waiting), "done": request.args.get("done"),
    }


@bp.route("/holds", endpoint="holds")
@page(*ROLE)
def holds_page():
    return render_template("holds/holds.html", **_context(page_user()))


@bp.route("/holds/waiting")
@page(*ROLE)
def waiting():
    """The waiting holds, for htmx polling: 204 while they are the ones the page shows."""
    user = page_user()
    context = _context(user)
    if request.args.get("known", "") == context["known"]:
        return "", 204
    return render_template("holds/_waiting.html", **context)


@bp.route("/holds/<int:hold_id>/countdown")
@page(*ROLE)
def countdown(hold_id):
    hold = holds.hold_for(page_user(), hold_id, ROLE)
    return render_template("holds/_countdown.html", hold=hold, moment=clock.now())


@bp.route("/holds/<int:hold_id>/accept", methods=["POST"])
@page(*ROLE)
def accept(hold_id):
    user = page_user()
    return _decide(lambda: holds.accept_hold(user, holds.hold_for(user, hold_id, ROLE)),
                   ("hold", hold_id), "accepted")


@bp.route("/holds/<int:hold_id>/decline", methods=["POST"])
@page(*ROLE)
def decline(hold_id):
    user = page_user()
    hold = holds.hold_for(user, hold_id, ROLE)
    form = DeclineForm(prefix=f"hold{hold.id}")
    if not form.validate_on_submit():
        return _again({("decline", hold.id): form}, {})
    return _decide(lambda: holds.decline_hold(user, hold, form.reason.data,
                                              form.note.data.strip() or None),
                   ("hold", hold_id), "declined", {("decline", hold.id): form})


@bp.route("/placements/<int:placement_id>/arrive", methods=["POST"])
@page(*ROLE)
def arrive(placement_id):
    user = page_user()
    return _decide(lambda: placements.arrive(
        user, placements.placement_for(user, placement_id, ROLE)),
        ("placement", placement_id), "arrived")


@bp.route("/placements/<int:placement_id>/no-show", methods=["POST"])
@page(*ROLE)
def no_show(placement_id):
    user = page_user()
    return _decide(lambda: placements.no_show(
        user, placements.placement_for(user, placement_id, ROLE)),
        ("placement", placement_id), "no_show")


@bp.route("/placements/<int:placement_id>/discharge", methods=["POST"])
@page(*ROLE)
def discharge(placement_id):
    user = page_user()
    placement = placements.placement_for(user, placement_id, ROLE)
    form = DischargeForm(prefix=f"placement{placement.id}")
    if not form.validate_on_submit():
        return _again({("discharge", placement.id): form}, {})
    return _decide(lambda: placements.discharge(user, placement, form.reason.data),
                   ("placement", placement_id), "discharged",
                   {("discharge", placement.id): form})


def _decide(change, key, done, forms=None):
    """Run one transition; a refusal is shown next to the item it concerns."""
    try:
        change()
    except (Conflict, RuleViolation) as refusal:
        db.session.rollback()
        return _again(forms or {}, {key: _refusal_words(refusal)}, status=refusal.status)
    return redirect(url_for(".holds", done=done))


def _refusal_words(refusal):
    if refusal.errors.get("state") == "expired" or "expired" in refusal.message:
        return _("This hold has expired: the beds went back.")
    if isinstance(refusal, RuleViolation):
        return _("This hold no longer fits the case. Decline it, or ask a coordinator.")
    return _("This changed in the meantime: the list shows its state now.")


def _again(forms, errors, status=422):
    return render_template("holds/holds.html", **_context(page_user(), forms, errors)), status
