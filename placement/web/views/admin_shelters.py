"""Shelters and their policies for the administrator: the list, and the PATCH /shelters/{id} form.

The form sends what the API's ShelterUpdateSchema accepts, checked by that same schema, and the
shelter's ETag in a hidden field: an edit made over someone else's change is refused (409) with
words, as If-Match refuses it in the API. The exact location is write-only: the form has empty
fields for a new point and never shows the stored one.
"""

import sqlalchemy as sa
from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms import BooleanField, FloatField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from placement.errors import PreconditionFailed, RuleViolation
from placement.extensions import db
from placement.models import Municipality, Region
from placement.models.shelter import DISCLOSURES, GENDER_POLICIES, SECURITY_LEVELS, SHELTER_KINDS
from placement.resources.shelters.schemas import ShelterUpdateSchema
from placement.services import access, shelters
from placement.web.auth import page, page_user
from placement.web.forms import render_form
from placement.web.i18n import place_name
from placement.web.labels import choices
from placement.web.transaction import PageBlueprint

bp = PageBlueprint("web_admin_shelters", __name__, url_prefix="/admin/shelters")
POLICY_CHOICES = {"kind": ("kind", SHELTER_KINDS), "security_level": ("security", SECURITY_LEVELS),
                  "gender_policy": ("gender_policy", GENDER_POLICIES),
                  "location_disclosure": ("disclosure", DISCLOSURES)}
LIST_FIELDS = ("languages", "services")
MAX_PAGE = 100_000
PAGE_SIZE = 50
FLAGS = ("accepts_unaccompanied_minors", "accepts_accompanied_children", "wheelchair_accessible")


class ShelterForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks every page POST

    version = HiddenField()
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the name")),
                                               Length(max=200)])
    kind = SelectField(_l("Kind"))
    region = SelectField(_l("Region"))
    municipality = SelectField(_l("Municipality"))
    location_disclosure = SelectField(_l("Who may see the municipality"))
    security_level = SelectField(_l("Security level"))
    gender_policy = SelectField(_l("Takes"))
    accepts_unaccompanied_minors = BooleanField(_l("Takes unaccompanied minors"))
    accepts_accompanied_children = BooleanField(_l("Takes children with a parent"))
    max_accompanying_boy_age = IntegerField(_l("Oldest boy with his mother (years)"), validators=[
        Optional(), NumberRange(0, 17, _l("Enter an age from 0 to 17, or leave it empty"))])
    languages = StringField(_l("Languages spoken"))
    services = StringField(_l("Services"))
    wheelchair_accessible = BooleanField(_l("Wheelchair accessible"))
    lat = FloatField(_l("New exact latitude"), validators=[
        Optional(), NumberRange(-90, 90, _l("Enter a latitude from -90 to 90"))])
    lon = FloatField(_l("New exact longitude"), validators=[
        Optional(), NumberRange(-180, 180, _l("Enter a longitude from -180 to 180"))])


def _form(shelter, formdata=True):
    form = ShelterForm() if formdata else ShelterForm(formdata=None, obj=None, data=_data(shelter))
    for name, (kind, values) in POLICY_CHOICES.items():
        getattr(form, name).choices = choices(kind, values)
    form.region.choices = [(r.code, place_name(r)) for r in
                           db.session.scalars(sa.select(Region).order_by(Region.code))]
    form.municipality.choices = [(m.code, place_name(m)) for m in
                                 db.session.scalars(sa.select(Municipality).order_by(
                                     Municipality.code))]
    return form


def _data(shelter):
    data = {name: getattr(shelter, name) for name in (
        "name", "kind", "location_disclosure", "security_level", "gender_policy",
        "max_accompanying_boy_age", *FLAGS)}
    data.update(region=shelter.region_code, municipality=shelter.municipality_code,
                version=shelters.etag(shelter),
                **{name: ", ".join(getattr(shelter, name) or []) for name in LIST_FIELDS})
    return data


@bp.route("/")
@page("admin")
def shelters_list():
    # Bounded: a huge page number would overflow the database's OFFSET (a 500, not a page).
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    found, total = shelters.list_shelters(page_user(), PAGE_SIZE, (number - 1) * PAGE_SIZE)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("admin/shelters.html", shelters=found, total=total, number=number,
                           pages=pages, saved=request.args.get("saved"))


@bp.route("/<int:shelter_id>", methods=["GET", "POST"])
@page("admin")
def edit(shelter_id):
    shelter = access.visible_shelter(page_user(), shelter_id)
    if request.method == "GET":
        return render_form("admin/shelter_edit.html", _form(shelter, formdata=False),
                           shelter=shelter)
    form = _form(shelter)
    if not form.validate_on_submit() or not _apply(shelter, form):
        for point in (form.lat, form.lon):
            # A point typed into a refused form is not echoed back: locations are write-only.
            point.data, point.raw_data = None, []
        return render_form("admin/shelter_edit.html", form, shelter=shelter,
                           status=409 if form.version.errors else None)
    return redirect(url_for(".shelters_list", saved=shelter.id))


def _apply(shelter, form):
    """The API's PATCH with the form's values; False (errors on the form) when refused."""
    try:
        shelters.check_if_match(shelter, form.version.data, required=True)
    except PreconditionFailed:
        form.version.errors = [_("Someone else changed this shelter since you opened this form."
                                 " Reload the page to see their change, then make yours again.")]
        return False
    changes = {name: form[name].data for name in (
        "name", "kind", "region", "municipality", "location_disclosure", "security_level",
        "gender_policy", "max_accompanying_boy_age", *FLAGS)}
    for name in LIST_FIELDS:
        changes[name] = [part.strip() for part in form[name].data.split(",") if part.strip()]
    if (form.lat.data is None) != (form.lon.data is None):
        form.lat.errors = [_("Give both latitude and longitude, or neither")]
        return False
    if form.lat.data is not None:
        changes.update(lat=form.lat.data, lon=form.lon.data)
    try:
        body = ShelterUpdateSchema().load(changes)
        shelters.update_shelter(shelter, body)
    except ValidationError as error:
        db.session.rollback()
        for name in error.messages:
            target = form._fields.get(name, form.name)
            target.errors = list(target.errors) + [_("This value is not accepted")]
        return False
    except RuleViolation:
        db.session.rollback()
        form.municipality.errors = [_("This municipality lies in another region")]
        return False
    return True
