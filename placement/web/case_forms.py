"""The case manager's forms: a new case (persons as profiles, suspects, keep-apart codes), a risk
reassessment, closing a case, a placement request, and a transfer of a placed person.

Forms check what a field can check on its own (a whole number, a choice from the list) and say
so in the user's language; the rules across fields (one primary person, an adult's age, a code
that names a case) stay in the cases service, whose refusals `place_service_error` puts next to
the field they name.
"""

import re

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from placement.extensions import db
from placement.models import Municipality
from placement.web.i18n import place_name
from placement.web.labels import choices

PERSON_ROWS = 3  # a mother with two children without pressing "Add a person"
MAX_PERSONS = 12  # as the API's schema
SUSPECT_ROWS = 2
CASE_CODE = re.compile(r"^K-[0-9A-Z]{4}-[0-9A-Z]{4}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
NEED = re.compile(r"^[a-z][a-z_]{1,39}$")


def words(text, case=str.lower):
    """Comma- or space-separated entries of a text field, lowercased (or `case`d), no blanks."""
    return [w for w in re.split(r"[\s,;]+", case((text or "").strip())) if w]


def _age(form, field):
    if not (field.data or "").strip():
        return
    try:
        age = int(field.data.strip())
    except ValueError:
        raise ValidationError(_l("Enter the age as a whole number of years")) from None
    if not 0 <= age <= 120:
        raise ValidationError(_l("Enter an age from 0 to 120"))


def _codes_matching(pattern, message, case=str.lower):
    def check(form, field):
        bad = [w for w in words(field.data, case) if not pattern.match(w)]
        if bad:
            raise ValidationError(message % {"code": bad[0]})

    return check


class PersonForm(Form):
    gender = SelectField(_l("Gender"),
                         choices=lambda: choices("gender", ("female", "male"), blank=_l("Choose")),
                         default="")
    age = StringField(_l("Age in years"), validators=[_age])
    role = SelectField(_l("Role"), choices=lambda: choices("person_role"))
    languages = StringField(
        _l("Languages spoken"), validators=[Length(max=60), _codes_matching(
            LANGUAGE, _l("%(code)s is not a two-letter language code such as sq or sr"))])
    needs = StringField(
        _l("Needs"), validators=[Length(max=200), _codes_matching(
            NEED, _l("%(code)s is not a need such as medical or legal"))])

    def is_blank(self):
        return not (self.gender.data or (self.age.data or "").strip() or self.languages.data
                    or self.needs.data)

    def check_required(self):
        """A row that is not blank needs gender, age and role; True when it has them."""
        for field, message in ((self.gender, _l("Choose the person's gender")),
                               (self.age, _l("Enter the person's age"))):
            if not (field.data or "").strip() and not field.errors:
                field.errors = [*field.errors, message]
        return not (self.gender.errors or self.age.errors or self.role.errors)

    def profile(self):
        return {"gender": self.gender.data, "age": int(self.age.data), "role": self.role.data,
                "languages": words(self.languages.data), "needs": words(self.needs.data)}


def _coordinate(low, high):
    def check(form, field):
        text = (field.data or "").strip().replace(",", ".")
        if not text:
            return
        try:
            value = float(text)
        except ValueError:
            raise ValidationError(_l("Enter a number such as 42.5")) from None
        if not low <= value <= high:
            raise ValidationError(_l("Enter a number from %(low)s to %(high)s", low=low,
                                     high=high))

    return check


class SuspectForm(Form):
    municipality = SelectField(_l("Municipality"), choices=[], default="")
    lat = StringField(_l("Latitude"), validators=[_coordinate(-90, 90)])
    lon = StringField(_l("Longitude"), validators=[_coordinate(-180, 180)])

    def point(self):
        """The suspect as the API takes it, or None for a blank row."""
        lat, lon = (self.lat.data or "").strip(), (self.lon.data or "").strip()
        if bool(lat) != bool(lon):
            (self.lon if lat else self.lat).errors.append(_l("Give both latitude and longitude"))
            return None
        if lat:
            return {"lat": float(lat.replace(",", ".")), "lon": float(lon.replace(",", "."))}
        return {"municipality": self.municipality.data} if self.municipality.data else None


class CaseForm(FlaskForm):
    # Rows come back as many as were sent (FieldList reads their indexes), at least these many.
    persons = FieldList(FormField(PersonForm), min_entries=PERSON_ROWS, max_entries=MAX_PERSONS)
    add_person = SubmitField(_l("Add a person"))
    category = SelectField(_l("Category"), choices=lambda: choices("category", blank=_l("Choose")),
                           validators=[DataRequired(_l("Choose the category"))])
    risk = SelectField(_l("Risk level"), choices=lambda: choices("risk", blank=_l("Choose")),
                       validators=[DataRequired(_l("Choose the risk level"))])
    referral_source = SelectField(
        _l("Referred by"), choices=lambda: choices("referral_source", blank=_l("Choose")),
        validators=[DataRequired(_l("Choose who referred the case"))])
    identifying_authority = SelectField(
        _l("Identified by"), choices=lambda: choices("identifying_authority", blank=_l("Choose")),
        validators=[DataRequired(_l("Choose the authority that identified the victim"))])
    keep_apart_from = StringField(
        _l("Keep apart from cases"), validators=[Length(max=300), _codes_matching(
            CASE_CODE, _l("%(code)s is not a case code such as K-7QX3-M9PA"), str.upper)])
    suspects = FieldList(FormField(SuspectForm), min_entries=SUSPECT_ROWS,
                         max_entries=SUSPECT_ROWS)


def new_case_form():
    """The case form, with the municipalities in the user's language and roles filled in (the
    first person primary, the others children) where none was chosen."""
    form = CaseForm()
    for index, row in enumerate(form.persons):
        if not row.form.role.data:
            row.form.role.data = "primary" if index == 0 else "child"
    options = municipality_choices(_l("None"))
    for row in form.suspects:
        row.form.municipality.choices = options
    return form


def add_person_row(form):
    """One more (blank) person row, a child unless changed."""
    form.persons.append_entry()
    form.persons[-1].form.role.data = "child"


def municipality_choices(blank):
    """Every municipality by name in the user's language, alphabetical, after a blank choice."""
    rows = db.session.scalars(sa.select(Municipality)).all()
    named = sorted(((m.code, place_name(m)) for m in rows), key=lambda pair: pair[1])
    return [("", blank), *named]


class RiskForm(FlaskForm):
    risk = SelectField(_l("New risk level"), choices=lambda: choices("risk", blank=_l("Choose")),
                       validators=[DataRequired(_l("Choose the risk level"))])
    risk_reason = TextAreaField(_l("Why the risk changes"), validators=[
        DataRequired(_l("Say why the risk level changes")), Length(max=200)])


class CloseForm(FlaskForm):
    reason = TextAreaField(_l("Why the case closes"), validators=[
        DataRequired(_l("Say why the case closes")), Length(max=200)])


class RequestForm(FlaskForm):
    urgency = SelectField(_l("Urgency"), choices=lambda: choices("urgency", blank=_l("Choose")),
                          validators=[DataRequired(_l("Choose the urgency"))])
    current_municipality = SelectField(
        _l("Where the person is now"), choices=[],
        validators=[DataRequired(_l("Choose the municipality where the person is now"))])


def request_form():
    form = RequestForm(prefix="request")
    form.current_municipality.choices = municipality_choices(_l("Choose"))
    return form


def transfer_form(placement_request):
    """A transfer asks what a request asks; the person is where their shelter's request says
    unless the case manager says otherwise."""
    form = RequestForm(prefix="transfer")
    form.current_municipality.choices = municipality_choices(_l("Choose"))
    if not form.is_submitted():
        form.urgency.data = placement_request.urgency
        form.current_municipality.data = placement_request.current_municipality
    return form
