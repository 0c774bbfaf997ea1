"""Occupancy schemas: query arguments (bounded, strict) and the answers' shapes for OpenAPI."""

from datetime import UTC, date, datetime

from marshmallow import ValidationError, fields, validate, validates_schema

from placement.contract import DateTime, Integer
from placement.resources.common import ID_RANGE, PageArgsSchema, StrictSchema
from placement.services.occupancy_history import GRANULARITIES

OPEN_TO_NEW = (
    "Beds and rooms a NEW request could enter. A family room takes one group at a time, so a"
    " family room with anyone in it adds its free beds to `available` but nothing here."
)


class Moment(fields.Field):
    """An ISO 8601 date (midnight UTC) or date-time; an offset is turned into UTC."""

    default_error_messages = {"invalid": "must be an ISO 8601 date or date-time"}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 40:
            raise self.make_error("invalid")
        try:
            if len(value) == 10:
                parsed = datetime.combine(date.fromisoformat(value), datetime.min.time())
            else:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise self.make_error("invalid") from None
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
        return parsed


REGION = fields.String(validate=validate.Length(min=1, max=40))
FORMAT = fields.String(load_default="json", validate=validate.OneOf(("json", "csv")))


class OccupancyArgsSchema(PageArgsSchema):
    """`limit` and `offset` page the shelter list only (JSON); totals, regions and the stale
    list always cover every shelter in scope, and format=csv exports every shelter."""

    region = REGION
    format = FORMAT


class PeriodArgsSchema(StrictSchema):
    start = Moment(data_key="from", metadata={"description": "ISO date or date-time (UTC)"})
    end = Moment(data_key="to", metadata={"description": "ISO date or date-time, exclusive"})
    region = REGION
    format = FORMAT


class HistoryArgsSchema(PeriodArgsSchema):
    shelter = Integer(from_text=True, validate=ID_RANGE)
    granularity = fields.String(load_default="hour", validate=validate.OneOf(GRANULARITIES))


class UnmetNeedArgsSchema(PeriodArgsSchema):
    audience = fields.String(
        load_default="internal", validate=validate.OneOf(("internal", "external")),
        metadata={"description": "external: counts from 1 to 4 withheld (CSV only)"},
    )

    @validates_schema
    def _audience_needs_csv(self, data, **_):
        if data.get("audience") == "external" and data.get("format") != "csv":
            raise ValidationError("external applies to format=csv only", "audience")


class OpenSchema(StrictSchema):
    beds = Integer()
    rooms = Integer()


class ByKindSchema(StrictSchema):
    available = Integer(metadata={"description": "every free bed"})
    open_to_new_requests = fields.Nested(OpenSchema, metadata={"description": OPEN_TO_NEW})


class KindSchema(StrictSchema):
    total = Integer()
    in_service = Integer()
    occupied = Integer()
    held = Integer()
    out_of_service = Integer()
    available = Integer(metadata={"description": "every free bed (SPEC section 7)"})
    open_to_new_requests = fields.Nested(OpenSchema, metadata={"description": OPEN_TO_NEW})


class FreshnessCountSchema(StrictSchema):
    fresh = Integer()
    aging = Integer()
    stale = Integer()


class TotalsSchema(KindSchema):
    shelters = Integer()
    freshness = fields.Nested(FreshnessCountSchema)
    by_room_kind = fields.Dict(keys=fields.String(), values=fields.Nested(ByKindSchema))


class RegionOccupancySchema(TotalsSchema):
    code = fields.String()
    name = fields.String()
    population = Integer(allow_none=True)
    places_per_10000 = fields.Float(
        allow_none=True, metadata={"description": "beds in service per 10,000 residents"})
    meets_standard = fields.Boolean(allow_none=True)


class ShelterOccupancySchema(KindSchema):
    id = Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    region = fields.String()
    freshness = fields.String()
    confirmed_at = DateTime(allow_none=True)
    by_room_kind = fields.Dict(keys=fields.String(), values=fields.Nested(ByKindSchema))


class StaleShelterSchema(StrictSchema):
    id = Integer()
    name = fields.String()
    region = fields.String()
    confirmed_at = DateTime(allow_none=True)


class StaleSchema(StrictSchema):
    count = Integer()
    shelters = fields.List(fields.Nested(StaleShelterSchema))


class StandardSchema(StrictSchema):
    places_per_10000 = Integer()
    source = fields.String()


class OccupancySchema(StrictSchema):
    as_of = DateTime()
    standard = fields.Nested(StandardSchema)
    totals = fields.Nested(TotalsSchema)
    regions = fields.List(fields.Nested(RegionOccupancySchema))
    shelters = fields.List(fields.Nested(ShelterOccupancySchema))
    stale = fields.Nested(StaleSchema)


class HistoryPointSchema(StrictSchema):
    """By hour, whole numbers; by day, each day's mean of its hours (one decimal)."""

    at = DateTime()
    shelters = fields.Raw(metadata={"description": "shelters with a snapshot"})
    total = fields.Raw()
    in_service = fields.Raw()
    occupied = fields.Raw()
    held = fields.Raw()
    out_of_service = fields.Raw()
    available = fields.Raw()
    occupancy_rate = fields.Float(allow_none=True, metadata={"description": "occupied/in_service"})
    peak_occupied = Integer(metadata={"description": "day only"})
    hours = Integer(metadata={"description": "day only: hours with snapshots"})


class HistorySchema(StrictSchema):
    start = DateTime(attribute="from", data_key="from")
    end = DateTime(attribute="to", data_key="to")
    granularity = fields.String()
    region = fields.String(allow_none=True)
    shelter = Integer(allow_none=True)
    points = fields.List(fields.Nested(HistoryPointSchema))


class UnmetNeedSchema(StrictSchema):
    start = DateTime(attribute="from", data_key="from")
    end = DateTime(attribute="to", data_key="to")
    region = fields.String(allow_none=True)
    waits = fields.Dict()
    declines = fields.Dict()
    ended_without_placement = fields.Dict()
    optimizer_unplaced = fields.Dict()
    overrides = fields.Dict()


class ServiceCapacityFeedSchema(StrictSchema):
    total_items = Integer()
    total_pages = Integer()
    page_number = Integer()
    size = Integer()
    first_page = fields.Boolean()
    last_page = fields.Boolean()
    empty = fields.Boolean()
    suppressed = Integer(metadata={"description": "shelters withheld: 1 to 4 available"})
    unconfirmed = Integer(metadata={"description": "shelters never confirmed: left out"})
    contents = fields.List(fields.Dict())
