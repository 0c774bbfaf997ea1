"""Hold schemas: decisions by shelter managers, and what they see to decide."""

from marshmallow import fields, validate

from placement.contract import DateTime, Integer
from placement.models.workflow import DECLINE_REASONS, HOLD_STATUSES
from placement.resources.cases.schemas import PersonSchema
from placement.resources.common import PageArgsSchema, StrictSchema


class RefSchema(StrictSchema):
    id = Integer()
    name = fields.String()
    code = fields.String()
    kind = fields.String()


class OrganisationRefSchema(StrictSchema):
    code = fields.String()
    name = fields.String()


class HoldSchema(StrictSchema):
    id = Integer()
    request_id = Integer()
    organisation = fields.Nested(OrganisationRefSchema)
    shelter = fields.Nested(RefSchema)
    room = fields.Nested(RefSchema)
    status = fields.String()
    created_at = DateTime()
    expires_at = DateTime()
    decided_at = DateTime(allow_none=True)
    decline_reason = fields.String(allow_none=True)
    decline_note = fields.String(allow_none=True)
    category = fields.String()
    risk = fields.String()
    urgency = fields.String()
    persons = fields.List(fields.Nested(PersonSchema))
    override = fields.Dict(allow_none=True)


class HoldQueryArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(HOLD_STATUSES))


class DeclineSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.OneOf(DECLINE_REASONS))
    note = fields.String(validate=validate.Length(max=500))
