"""The audit log for the administrator: filters, pages, and the result of `audit verify`.

The same service as GET /audit and `flask audit verify` (placement/services/audit.py); reading
the log is itself audited there.
"""

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import NumberRange, Optional, Regexp, ValidationError

from placement.extensions import db
from placement.models import User
from placement.services import audit, audit_verify
from placement.web.auth import page
from placement.web.forms import render_form
from placement.web.transaction import PageBlueprint

bp = PageBlueprint("web_admin_audit", __name__, url_prefix="/admin/audit")
PAGE_SIZE = 50


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search: nothing changes

    actor = SelectField(_l("Who"), validators=[Optional()])
    action = StringField(_l("Action"), validators=[Optional(), Regexp(
        r"^[a-z_.]{1,60}$",
        message=_l("Use an action such as auth.login, or a prefix such as auth."))])
    since = DateField(_l("From (date)"), validators=[Optional()])
    until = DateField(_l("To (date, inclusive)"), validators=[Optional()])
    page = IntegerField(_l("Page"), default=1, validators=[Optional(), NumberRange(1, 100_000)])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date must not be before the start date"))


def _actor_choices():
    users = db.session.execute(sa.select(User.id, User.username).order_by(User.username)).all()
    return [("", _l("Anyone"))] + [(str(i), name) for i, name in users]


@bp.route("/")
@page("admin")
def log():
    form = AuditFilterForm(request.args)
    form.actor.choices = _actor_choices()
    verdict = audit_verify.verify()
    if not form.validate():
        return render_form("admin/audit.html", form, verdict=verdict, rows=[], total=0, pages=0)
    number = form.page.data or 1
    rows, total = audit.search(
        PAGE_SIZE, (number - 1) * PAGE_SIZE, action=form.action.data or None,
        actor=int(form.actor.data) if form.actor.data else None,
        since=_start(form.since.data), until=_start(form.until.data, days=1))
    names = dict(db.session.execute(sa.select(User.id, User.username)).all())
    return render_template("admin/audit.html", form=form, verdict=verdict, rows=rows,
                           total=total, names=names, number=number,
                           pages=max(1, -(-total // PAGE_SIZE)), query=_query(form))


def _start(day, days=0):
    return None if day is None else datetime.combine(day, time()) + timedelta(days=days)


def _query(form):
    """The filters as URL arguments, for the page links."""
    values = {"actor": form.actor.data, "action": form.action.data,
              "since": form.since.raw_data[0] if form.since.raw_data else "",
              "until": form.until.raw_data[0] if form.until.raw_data else ""}
    return {name: value for name, value in values.items() if value}
