"""Shelter schemas. No schema here has a field for coordinates on the way out."""

from marshmallow import ValidationError, fields, validate, validates_schema

from placement.auth import current_user
from placement.contract import DateTime, Integer
from placement.models.shelter import (
    DISCLOSURES,
    GENDER_POLICIES,
    ROOM_GENDERS,
    ROOM_KINDS,
    SECURITY_LEVELS,
    SHELTER_KINDS,
)
from placement.resources.common import PageArgsSchema, StrictSchema, text
from placement.services.network_file import ShelterEntrySchema as NetworkShelterSchema


class CountsSchema(StrictSchema):
    total = Integer()
    in_service = Integer()
    occupied = Integer()
    held = Integer()
    out_of_service = Integer()
    available = Integer()


class PositionSchema(StrictSchema):
    level = fields.String(metadata={"description": "municipality or region: whose centroid"})
    code = fields.String()
    lat = fields.Float()
    lon = fields.Float()


class AreaSchema(StrictSchema):
    """The shelter's public area: the exact location lies somewhere within radius_km of (lat,
    lon); everything shown of the shelter's whereabouts is computed from this alone."""

    lat = fields.Float()
    lon = fields.Float()
    radius_km = fields.Float()
    anchor = fields.String(metadata={"description": "municipality or region centroid, or set"})
    municipalities = fields.List(fields.String(), metadata={"description": "those it touches"})


class ShelterSchema(StrictSchema):
    """What a role may see; fields a role may not see are absent, coordinates never present."""

    id = Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    region = fields.String()
    municipality = fields.String()
    position = fields.Nested(PositionSchema)
    area = fields.Nested(AreaSchema)
    location_disclosure = fields.String()
    security_level = fields.String()
    gender_policy = fields.String()
    accepts_unaccompanied_minors = fields.Boolean()
    accepts_accompanied_children = fields.Boolean()
    max_accompanying_boy_age = Integer(allow_none=True)
    languages = fields.List(fields.String())
    services = fields.List(fields.String())
    wheelchair_accessible = fields.Boolean()
    referral_phone = fields.String(allow_none=True,
                                   metadata={"description": "a phone line for referrals"})
    freshness = fields.String(metadata={"description": "fresh < 2 h, aging 2-8 h, stale > 8 h"})
    confirmed_at = DateTime(allow_none=True)
    changed_at = DateTime()
    free_beds = fields.Dict(keys=fields.String(), values=Integer())
    counts = fields.Nested(CountsSchema)
    counts_by_room_kind = fields.Dict(keys=fields.String(), values=fields.Nested(CountsSchema))


class ShelterQueryArgsSchema(PageArgsSchema):
    """A page of shelters, of one region and/or kind; an unknown region answers 422."""

    region = fields.String(validate=validate.Length(min=1, max=40))
    kind = fields.String(validate=validate.OneOf(SHELTER_KINDS))


class ShelterCreateSchema(NetworkShelterSchema):
    """A shelter object of the file format, with its exact location (stored sealed)."""

    lat = fields.Float(required=True, load_only=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, load_only=True, validate=validate.Range(-180, 180))


class ShelterUpdateSchema(StrictSchema):
    name = text(200)
    kind = fields.String(validate=validate.OneOf(SHELTER_KINDS))
    region = fields.String(validate=validate.Length(max=40))
    municipality = fields.String(validate=validate.Length(max=60))
    lat = fields.Float(load_only=True, validate=validate.Range(-90, 90))
    lon = fields.Float(load_only=True, validate=validate.Range(-180, 180))
    location_disclosure = fields.String(validate=validate.OneOf(DISCLOSURES))
    # null returns the anchor to the disclosed centroid, the radius to the network's default.
    anchor = NetworkShelterSchema._declared_fields["anchor"]
    privacy_radius_km = NetworkShelterSchema._declared_fields["privacy_radius_km"]
    security_level = fields.String(validate=validate.OneOf(SECURITY_LEVELS))
    gender_policy = fields.String(validate=validate.OneOf(GENDER_POLICIES))
    accepts_unaccompanied_minors = fields.Boolean()
    accepts_accompanied_children = fields.Boolean()
    max_accompanying_boy_age = Integer(allow_none=True, validate=validate.Range(0, 17))
    languages = NetworkShelterSchema._declared_fields["languages"]
    services = NetworkShelterSchema._declared_fields["services"]
    wheelchair_accessible = fields.Boolean()
    referral_phone = NetworkShelterSchema._declared_fields["referral_phone"]

    @validates_schema
    def _location(self, data, **_):
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("give both lat and lon", "lat")
        if "municipality" in data and "region" not in data:
            raise ValidationError("give the region with the municipality", "region")


class BedSchema(StrictSchema):
    id = Integer()
    code = fields.String()
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    occupant = fields.Method("_occupant")

    def _occupant(self, bed):
        # A resident's profile is case data, and the administrator reads no case data.
        if bed.status != "occupied" or current_user().role == "admin":
            return None
        return {"gender": bed.occupant_gender, "age": bed.occupant_age, "group": bed.occupant_group}


class RoomSchema(StrictSchema):
    id = Integer()
    code = fields.String()
    kind = fields.String(validate=validate.OneOf(ROOM_KINDS))
    gender = fields.String(validate=validate.OneOf(ROOM_GENDERS))
    beds = fields.List(fields.Nested(BedSchema))
