"""Case schemas: persons are profiles (gender, age, role, languages, needs), never identities."""

from marshmallow import ValidationError, fields, validate, validates_schema

from optimizer.vocabulary import ROLES
from placement.contract import DateTime, Integer
from placement.models.case import CATEGORIES, IDENTIFYING_AUTHORITIES, REFERRAL_SOURCES, RISKS
from placement.models.shelter import PERSON_GENDERS
from placement.resources.common import PageArgsSchema, StrictSchema, text

CASE_CODE = validate.Regexp(r"^K-[0-9A-Z]{4}-[0-9A-Z]{4}$", error="must be a case code K-XXXX-XXXX")
SLUG = validate.Regexp(r"^[a-z][a-z_]{1,39}$", error="must be a lowercase word")
LANGUAGE = validate.Regexp(r"^[a-z]{2}$", error="must be an ISO 639-1 code")


class PersonSchema(StrictSchema):
    gender = fields.String(required=True, validate=validate.OneOf(PERSON_GENDERS))
    age = Integer(required=True, validate=validate.Range(0, 120))
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    languages = fields.List(fields.String(validate=LANGUAGE), load_default=list,
                            validate=validate.Length(max=10))
    needs = fields.List(fields.String(validate=SLUG), load_default=list,
                        validate=validate.Length(max=10))


class SuspectSchema(StrictSchema):
    municipality = fields.String(validate=validate.Length(max=60))
    lat = fields.Float(validate=validate.Range(-90, 90))
    lon = fields.Float(validate=validate.Range(-180, 180))

    @validates_schema
    def _somewhere(self, data, **_):
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("give both lat and lon", "lat")
        if "lat" not in data and not data.get("municipality"):
            raise ValidationError("give a municipality or coordinates", "municipality")


class CaseCreateSchema(StrictSchema):
    category = fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    risk = fields.String(required=True, validate=validate.OneOf(RISKS))
    persons = fields.List(fields.Nested(PersonSchema), required=True,
                          validate=validate.Length(min=1, max=12))
    suspects = fields.List(fields.Nested(SuspectSchema), load_default=list,
                           validate=validate.Length(max=20))
    keep_apart_from = fields.List(fields.String(validate=CASE_CODE), load_default=list,
                                  validate=validate.Length(max=20))
    referral_source = fields.String(required=True, validate=validate.OneOf(REFERRAL_SOURCES))
    identifying_authority = fields.String(required=True,
                                          validate=validate.OneOf(IDENTIFYING_AUTHORITIES))
    notes = fields.String(validate=validate.Length(max=2000))


class CaseUpdateSchema(StrictSchema):
    risk = fields.String(validate=validate.OneOf(RISKS))
    risk_reason = text(200)
    persons = fields.List(fields.Nested(PersonSchema), validate=validate.Length(min=1, max=12))
    suspects = fields.List(fields.Nested(SuspectSchema), validate=validate.Length(max=20))
    keep_apart_from = fields.List(fields.String(validate=CASE_CODE),
                                  validate=validate.Length(max=20))
    referral_source = fields.String(validate=validate.OneOf(REFERRAL_SOURCES))
    identifying_authority = fields.String(validate=validate.OneOf(IDENTIFYING_AUTHORITIES))
    notes = fields.String(allow_none=True, validate=validate.Length(max=2000))


class CaseCloseSchema(StrictSchema):
    reason = text(200, required=True)


class CaseQueryArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(("open", "closed")))


class AssessmentSchema(StrictSchema):
    at = DateTime()
    risk = fields.String()
    reason = fields.String()


class CaseSchema(StrictSchema):
    id = Integer()
    code = fields.String()
    category = fields.String()
    risk = fields.String()
    status = fields.String()
    persons = fields.List(fields.Nested(PersonSchema))
    suspects = fields.List(fields.Nested(SuspectSchema))
    notes = fields.String(allow_none=True)
    keep_apart_from = fields.List(fields.String())
    referral_source = fields.String()
    identifying_authority = fields.String()
    created_at = DateTime()
    closed_at = DateTime(allow_none=True)
    close_reason = fields.String(allow_none=True)
    assessments = fields.List(fields.Nested(AssessmentSchema))


class CaseSummarySchema(StrictSchema):
    id = Integer()
    code = fields.String()
    category = fields.String()
    risk = fields.String()
    status = fields.String()
    created_at = DateTime()
