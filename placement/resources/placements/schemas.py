"""Placement schemas: arrival, discharge and transfer."""

from marshmallow import fields, validate

from placement.contract import DateTime, Integer
from placement.models.workflow import DISCHARGE_REASONS, URGENCIES
from placement.resources.common import StrictSchema
from placement.resources.holds.schemas import RefSchema


class PlacementSchema(StrictSchema):
    id = Integer()
    request_id = Integer()
    hold_id = Integer()
    shelter = fields.Nested(RefSchema)
    room_id = Integer()
    status = fields.String()
    accepted_at = DateTime()
    arrived_at = DateTime(allow_none=True)
    ended_at = DateTime(allow_none=True)
    end_reason = fields.String(allow_none=True)
    planned_departure = fields.Date(allow_none=True)
    override = fields.Dict(allow_none=True)


class PlanSchema(StrictSchema):
    planned_departure = fields.Date(required=True, allow_none=True, metadata={
        "description": "The day the stay is planned to end (a reminder follows it); null clears"
    })


class ArrivalSchema(StrictSchema):
    planned_departure = fields.Date(metadata={"description": "Optional: the planned last day"})


class DischargeSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.OneOf(DISCHARGE_REASONS))


class TransferSchema(StrictSchema):
    urgency = fields.String(required=True, validate=validate.OneOf(URGENCIES))
    current_municipality = fields.String(validate=validate.Length(max=60))
