"""Optimizer run schemas."""

from marshmallow import fields, validate

from placement.contract import DateTime, Integer
from placement.resources.common import StrictSchema


class RunCreateSchema(StrictSchema):
    region = fields.String(validate=validate.Length(max=40))
    auto_hold = fields.Boolean(load_default=False)
    time_limit = fields.Float(load_default=10.0, validate=validate.Range(0.5, 60))


class RunProposalSchema(StrictSchema):
    request_id = Integer()
    shelter_id = Integer(allow_none=True)
    room_id = Integer(allow_none=True)
    hold_id = Integer(allow_none=True)
    explanation = fields.Dict(allow_none=True)


class RunSchema(StrictSchema):
    id = Integer()
    region = fields.String(attribute="region_code", allow_none=True)
    status = fields.String(metadata={"description": "queued, running, succeeded or failed"})
    time_limit = fields.Float(allow_none=True)
    failure = fields.String(allow_none=True, metadata={"description": "why a run failed"})
    auto_hold = fields.Boolean()
    started_at = DateTime()
    finished_at = DateTime(allow_none=True)
    summary = fields.Dict(allow_none=True)
    proposals = fields.List(fields.Nested(RunProposalSchema))
