"""Placement request, proposal and hold-request schemas."""

from marshmallow import fields, validate

from placement.contract import DateTime, Integer
from placement.models.workflow import REQUEST_STATUSES, URGENCIES
from placement.resources.cases.schemas import PersonSchema
from placement.resources.common import ID_RANGE, PageArgsSchema, StrictSchema, text
from placement.resources.placements.schemas import PlacementSchema
from placement.services.proposals import (
    EXCLUDED_LIMIT,
    OPTIONS_LIMIT,
    PAGE_LIMIT_MAX,
    RELAXATIONS_LIMIT,
)


class PlacementRequestCreateSchema(StrictSchema):
    case_id = Integer(required=True, validate=ID_RANGE)
    urgency = fields.String(required=True, validate=validate.OneOf(URGENCIES))
    current_municipality = fields.String(required=True, validate=validate.Length(max=60))


class PlacementRequestQueryArgsSchema(PageArgsSchema):
    status = fields.String(validate=validate.OneOf(REQUEST_STATUSES))
    case_id = Integer(from_text=True, validate=ID_RANGE)


class HoldCreateSchema(StrictSchema):
    shelter_id = Integer(required=True, validate=ID_RANGE)
    room_id = Integer(validate=ID_RANGE)


class OverrideSchema(StrictSchema):
    rules = fields.List(fields.String(validate=validate.Regexp(r"^H[1-8]$")), required=True,
                        validate=validate.Length(max=8))
    justification = text(1000, required=True)


class HoldBriefSchema(StrictSchema):
    id = Integer()
    shelter_id = Integer()
    room_id = Integer()
    status = fields.String()
    expires_at = DateTime()


class ProposalBriefSchema(StrictSchema):
    run_id = Integer()
    shelter_id = Integer(allow_none=True)
    room_id = Integer(allow_none=True)
    hold_id = Integer(allow_none=True)
    explanation = fields.Dict(allow_none=True)
    created_at = DateTime()


class PlacementRequestSchema(StrictSchema):
    id = Integer()
    case_id = Integer()
    case_code = fields.String()
    status = fields.String()
    urgency = fields.String()
    current_municipality = fields.String()
    category = fields.String()
    risk = fields.String()
    persons = fields.List(fields.Nested(PersonSchema))
    created_at = DateTime()
    updated_at = DateTime()
    transferred_from = Integer(allow_none=True)
    override = fields.Dict(allow_none=True)
    holds = fields.List(fields.Nested(HoldBriefSchema))
    placement = fields.Nested(PlacementSchema, allow_none=True)
    latest_proposal = fields.Nested(ProposalBriefSchema, allow_none=True)
    ended_reason = fields.String(allow_none=True)


class EventSchema(StrictSchema):
    id = Integer()
    at = DateTime()
    actor_id = Integer(allow_none=True)
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    hold_id = Integer(allow_none=True)
    placement_id = Integer(allow_none=True)
    detail = fields.Dict(allow_none=True)


class ShelterRefSchema(StrictSchema):
    id = Integer()
    name = fields.String()
    kind = fields.String()
    region = fields.String()


class FitSchema(StrictSchema):
    total = Integer()
    language = Integer()
    needs = Integer()


class OptionSchema(StrictSchema):
    shelter = fields.Nested(ShelterRefSchema)
    room = Integer()
    room_kind = fields.String()
    fit = fields.Nested(FitSchema)
    travel = fields.String(metadata={"description": "a band, never a distance"})
    freshness = fields.String()
    confirm_by_phone = fields.Boolean()
    referral_phone = fields.String(allow_none=True)


class ReasonDetailSchema(StrictSchema):
    rule = fields.String()
    key = fields.String(allow_none=True, metadata={"description": "the sentence's template"})
    params = fields.Dict(metadata={"description": "the rule's thresholds and the group's figures"
                                                  " the sentence states"})


class ExcludedSchema(StrictSchema):
    shelter = fields.Nested(ShelterRefSchema)
    rules = fields.List(fields.String())
    reasons = fields.List(fields.String())
    details = fields.List(fields.Nested(ReasonDetailSchema))


class RelaxationSchema(StrictSchema):
    rule = fields.String()
    shelter = fields.Nested(ShelterRefSchema)
    parameter = fields.String()
    current = fields.Raw(allow_none=True)
    relaxed = fields.Raw()
    message = fields.String()


class ExclusionSummarySchema(StrictSchema):
    rule = fields.String()
    shelters = Integer(metadata={"description": "how many shelters this rule rules out (a shelter"
                                                " ruled out by several rules counts under each)"})
    examples = fields.List(fields.Nested(ShelterRefSchema),
                           metadata={"description": "the first few of them, in shelter order"})


class ProposalsQueryArgsSchema(StrictSchema):
    options_limit = Integer(
        from_text=True, load_default=OPTIONS_LIMIT, validate=validate.Range(1, PAGE_LIMIT_MAX),
        metadata={"description": "how many options to list, best first (options_total counts"
                                 " them all)"})
    options_offset = Integer(
        from_text=True, load_default=0, validate=validate.Range(0, 1_000_000),
        metadata={"description": "where the listed options start, in rank order"})
    excluded_limit = Integer(
        from_text=True, load_default=EXCLUDED_LIMIT, validate=validate.Range(1, PAGE_LIMIT_MAX),
        metadata={"description": "how many excluded shelters to list (the rest stay counted)"})
    excluded_offset = Integer(
        from_text=True, load_default=0, validate=validate.Range(0, 1_000_000),
        metadata={"description": "where the listed excluded shelters start, in shelter order"})
    relaxations_limit = Integer(
        from_text=True, load_default=RELAXATIONS_LIMIT,
        validate=validate.Range(1, PAGE_LIMIT_MAX),
        metadata={"description": "how many relaxations to list (relaxations_total counts them"
                                 " all)"})
    relaxations_offset = Integer(
        from_text=True, load_default=0, validate=validate.Range(0, 1_000_000),
        metadata={"description": "where the listed relaxations start, in shelter order"})


class ProposalsSchema(StrictSchema):
    request = Integer()
    override = fields.List(fields.String())
    options = fields.List(fields.Nested(OptionSchema), metadata={
        "description": "the ranked options, best first, one page of them (options_limit,"
                       " options_offset)"})
    options_total = Integer(metadata={"description": "how many options there are in all"})
    excluded = fields.List(fields.Nested(ExcludedSchema), metadata={
        "description": "every excluded shelter with its reasons, one page of them"
                       " (excluded_limit, excluded_offset)"})
    excluded_total = Integer(metadata={"description": "how many shelters are excluded in all"})
    excluded_by_rule = fields.List(fields.Nested(ExclusionSummarySchema), metadata={
        "description": "the exclusions summed up by rule, in rule order"})
    relaxations = fields.List(fields.Nested(RelaxationSchema), metadata={
        "description": "single-rule relaxations that would admit a shelter, one page of them"
                       " (relaxations_limit, relaxations_offset)"})
    relaxations_total = Integer(metadata={"description": "how many relaxations there are"})
