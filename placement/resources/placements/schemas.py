"""Placement schemas: arrival, discharge and transfer."""

from marshmallow import fields, validate

from placement.models.workflow import DISCHARGE_REASONS, URGENCIES
from placement.resources.common import StrictSchema
from placement.resources.holds.schemas import RefSchema


class PlacementSchema(StrictSchema):
    id = fields.Integer()
    request_id = fields.Integer()
    hold_id = fields.Integer()
    shelter = fields.Nested(RefSchema)
    room_id = fields.Integer()
    status = fields.String()
    accepted_at = fields.DateTime()
    arrived_at = fields.DateTime(allow_none=True)
    ended_at = fields.DateTime(allow_none=True)
    end_reason = fields.String(allow_none=True)
    override = fields.Dict(allow_none=True)


class DischargeSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.OneOf(DISCHARGE_REASONS))


class TransferSchema(StrictSchema):
    urgency = fields.String(required=True, validate=validate.OneOf(URGENCIES))
    current_municipality = fields.String(validate=validate.Length(max=60))
