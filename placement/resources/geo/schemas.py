"""Regions and municipalities (public centroids only)."""

from marshmallow import fields, validate

from placement.resources.common import PageArgsSchema, StrictSchema


class RegionSchema(StrictSchema):
    code = fields.String()
    name = fields.String()
    lat = fields.Float()
    lon = fields.Float()


class MunicipalitySchema(StrictSchema):
    code = fields.String()
    name = fields.String()
    region = fields.String(attribute="region_code")
    lat = fields.Float()
    lon = fields.Float()


class MunicipalityQueryArgsSchema(PageArgsSchema):
    region = fields.String(validate=validate.Length(min=1, max=40))
