"""Accounts for the administrator: list with last sign-in, create, disable, enable, reset.

The same service functions as the `flask users` commands (placement/services/accounts.py): the
same rules, refusals and audit rows. A generated password is shown once, in the answer to the
POST that made it (not cacheable, never logged); a second POST of the same form (a reload) is
refused by the stamp of the password it was meant to replace.
"""

import hashlib
import hmac

import sqlalchemy as sa
from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from placement.errors import BadRequest, NotFound
from placement.extensions import db
from placement.models import Region, Shelter, User
from placement.models.account import ROLES
from placement.services import accounts
from placement.web.auth import page
from placement.web.forms import render_form
from placement.web.i18n import place_name, role_label
from placement.web.transaction import PageBlueprint

bp = PageBlueprint("web_admin_accounts", __name__, url_prefix="/admin/accounts")
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class AccountForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks every page POST

    username = StringField(_l("Username"), validators=[
        InputRequired(_l("Enter a username")), Length(max=80),
        Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, dots, dashes"))])
    role = SelectField(_l("Role"), validators=[InputRequired(_l("Choose a role"))])
    organisation = StringField(_l("Organisation code (case managers)"),
                               validators=[Optional(), Length(max=60)])
    shelters = SelectMultipleField(_l("Shelters (shelter managers)"), coerce=str,
                                   validate_choice=False)
    region = SelectField(_l("Region (regional coordinators)"), validators=[Optional()])


class StampForm(FlaskForm):
    class Meta:
        csrf = False

    stamp = HiddenField()


def _account_form(formdata=None):
    form = AccountForm(formdata=formdata) if formdata is not None else AccountForm()
    form.role.choices = [("", _("Choose"))] + [(role, role_label(role)) for role in ROLES]
    form.shelters.choices = [
        (str(s.id), s.name) for s in db.session.scalars(sa.select(Shelter).order_by(Shelter.id))]
    regions = db.session.scalars(sa.select(Region).order_by(Region.code))
    form.region.choices = [("", _("None"))] + [(r.code, place_name(r)) for r in regions]
    return form


def _stamp(user):
    """Changes whenever the password does: a reset form is good for one reset."""
    return hmac.new(b"password-stamp", user.password_hash.encode(), hashlib.sha256).hexdigest()[:20]


def _user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(f"no account {user_id}")
    return user


@bp.route("/")
@page("admin")
def accounts_list():
    return render_template("admin/accounts.html", rows=accounts.list_users(),
                           done=request.args.get("done"))


@bp.route("/new", methods=["GET", "POST"])
@page("admin")
def create():
    form = _account_form()
    if not form.validate_on_submit():
        return render_form("admin/account_new.html", form)
    # Each role keeps only the scope it uses, as `flask users create` does.
    role = form.role.data
    password = accounts.new_password()
    try:
        user = accounts.create_user(
            form.username.data, password, role,
            organisation=form.organisation.data.strip() or None if role == "case_manager" else None,
            shelter_ids=form.shelters.data if role == "shelter_manager" else (),
            region=form.region.data or None if role == "regional_coordinator" else None)
    except BadRequest as refusal:
        db.session.rollback()
        _attach(form, refusal)
        return render_form("admin/account_new.html", form)
    return _password_page(user, password, created=True)


def _attach(form, refusal):
    """Put the service's refusal next to the field it names, in the reader's language."""
    field = refusal.message.split(":", 1)[0]
    words = {
        "username": _("This username is taken"),
        "organisation": _("A case manager needs an organisation code"),
        "shelter": _("A shelter manager needs at least one shelter"),
        "region": _("A regional coordinator needs a region"),
        "role": _("Choose a role"),
    }
    target = {"shelter": form.shelters}.get(field) or getattr(form, field, form.username)
    target.errors = list(target.errors) + [words.get(field, _("Check this field"))]


@bp.route("/<int:user_id>")
@page("admin")
def account(user_id):
    user = _user(user_id)
    return render_template("admin/account.html", user=user, stamp=_stamp(user),
                           done=request.args.get("done"))


@bp.route("/<int:user_id>/password", methods=["POST"])
@page("admin")
def reset_password(user_id):
    user = _user(user_id)
    form = StampForm()
    if not hmac.compare_digest(form.stamp.data or "", _stamp(user)):
        # A reload of the answer, or a second tab: the password is not shown again.
        return redirect(url_for(".account", user_id=user.id, done="already_reset"))
    password = accounts.new_password()
    accounts.set_password(user.username, password)
    return _password_page(user, password, created=False)


def _password_page(user, password, created):
    body = render_template("admin/password_once.html", user=user, password=password,
                           created=created)
    return body, 200, NO_STORE


@bp.route("/<int:user_id>/disable", methods=["POST"])
@page("admin")
def disable(user_id):
    user = _user(user_id)
    accounts.set_disabled(user.username, True)
    return redirect(url_for(".account", user_id=user.id, done="disabled"))


@bp.route("/<int:user_id>/enable", methods=["POST"])
@page("admin")
def enable(user_id):
    user = _user(user_id)
    accounts.set_disabled(user.username, False)
    return redirect(url_for(".account", user_id=user.id, done="enabled"))
