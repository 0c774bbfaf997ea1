"""Optimizer run schemas."""

from marshmallow import fields, validate

from placement.contract import DateTime, Integer
from placement.resources.common import PageArgsSchema, StrictSchema


class RunCreateSchema(StrictSchema):
    region = fields.String(validate=validate.Length(max=40))
    auto_hold = fields.Boolean(load_default=False)
    time_limit = fields.Float(load_default=10.0, validate=validate.Range(0.5, 60))


class RunQueryArgsSchema(PageArgsSchema):
    """`limit` and `offset` page the run's proposals (X-Total-Count and `proposals_total`
    count them all), in request order."""


class RunProposalSchema(StrictSchema):
    request_id = Integer()
    shelter_id = Integer(allow_none=True)
    room_id = Integer(allow_none=True)
    hold_id = Integer(allow_none=True)
    explanation = fields.Dict(allow_none=True, metadata={"description": (
        "for a request left unplaced: excluded_total (how many shelters are excluded),"
        " excluded_by_rule (how many shelters each rule rules out, with a few examples, as"
        " the request's proposals count them; every shelter's reasons are the request's"
        " proposals, paged), relaxations (the first few) and relaxations_total. Runs stored"
        " before these summaries list every excluded shelter instead (excluded). For a"
        " placed request whose beds could not be held: hold_refused")})


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
    proposals = fields.List(fields.Nested(RunProposalSchema), metadata={
        "description": "one proposal per request, in request order, one page of them (limit,"
                       " offset)"})
    proposals_total = Integer(metadata={"description": "how many proposals the run has"})
