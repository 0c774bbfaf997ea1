"""Unmet need for a period and region, as a page with its CSV exports (session-authenticated).

The figures are GET /occupancy/unmet-need's (`unmet_need.unmet_need`), the CSVs its format=csv
answers (`exports.unmet_need_csv`): internal, or external with counts from 1 to 4 withheld.
"""

import datetime as dt

import sqlalchemy as sa
from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from placement.errors import BadRequest, RuleViolation
from placement.extensions import db
from placement.models import Region
from placement.resources.occupancy.routes import csv_response
from placement.services import exports, unmet_need
from placement.web.auth import page, page_user
from placement.web.forms import FORM_ERRORS_STATUS
from placement.web.transaction import PageBlueprint

bp = PageBlueprint("web_unmet", __name__, url_prefix="/coordinator")
AUDIENCES = ("internal", "external")
NOT_A_DATE = _l("Enter a date as YYYY-MM-DD")
# The service's refusals of a period, by the field it names, in the page's words.
PERIOD_ERRORS = {"from": _l("The start must be before the end"),
                 "to": _l("The period may be at most a year")}


class PeriodForm(FlaskForm):
    """A GET form: its values are the page's address, so no CSRF token."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[Optional()], format="%Y-%m-%d")
    end = DateField(_l("To (not included)"), validators=[Optional()], format="%Y-%m-%d")
    region = SelectField(_l("Region"), choices=[], validate_choice=True)


def _form(user):
    form = PeriodForm(request.args)
    for date_field in (form.start, form.end):
        date_field.render_kw = {"type": "date"}
    if user.role == "national_coordinator":
        codes = db.session.scalars(sa.select(Region.code).order_by(Region.code))
        form.region.choices = [("", _l("All regions"))] + [(c, c) for c in codes]
    else:
        form.region.choices = [(user.region_code, user.region_code)]
    if form.region.data is None:  # not in the address: the first choice (all, or their region)
        form.region.data = form.region.choices[0][0]
    return form


def _figures(user, form):
    """(view, status): the unmet-need figures, or None with the form's errors filled in."""
    if not form.validate():
        for date_field in (form.start, form.end):
            if date_field.errors:
                date_field.errors[:] = [NOT_A_DATE]
        return None, FORM_ERRORS_STATUS
    start = _midnight(form.start.data)
    end = _midnight(form.end.data)
    try:
        return unmet_need.unmet_need(user, start, end, form.region.data or None), 200
    except RuleViolation as error:
        if "from" in error.errors:
            form.start.errors = [*form.start.errors, PERIOD_ERRORS["from"]]
        else:
            form.end.errors = [*form.end.errors, PERIOD_ERRORS["to"]]
        return None, FORM_ERRORS_STATUS


def _midnight(day):
    return dt.datetime.combine(day, dt.time()) if day else None


@bp.route("/unmet-need")
@page("regional_coordinator", "national_coordinator")
def unmet_need_page():
    user = page_user()
    form = _form(user)
    view, status = _figures(user, form)
    return render_template("coordinator/unmet_need.html", form=form, view=view,
                           links=_links()), status


def _links():
    """The CSV addresses for the period on screen, one per audience."""
    args = {k: v for k, v in request.args.items() if k in ("start", "end", "region") and v}
    return {a: url_for("web_unmet.unmet_need_csv", audience=a, **args) for a in AUDIENCES}


@bp.route("/unmet-need.csv")
@page("regional_coordinator", "national_coordinator")
def unmet_need_csv():
    """GET /occupancy/unmet-need?format=csv for a signed-in page; a bad period shows the form."""
    user = page_user()
    audience = request.args.get("audience", "internal")
    if audience not in AUDIENCES:
        raise BadRequest("audience: must be internal or external")
    form = _form(user)
    view, status = _figures(user, form)
    if view is None:
        db.session.rollback()
        return render_template("coordinator/unmet_need.html", form=form, view=None,
                               links=_links()), status
    external = audience == "external"
    name = "unmet-need-external" if external else "unmet-need"
    return csv_response(exports.unmet_need_csv(view, external), name)
