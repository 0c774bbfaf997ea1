"""The placement policy as the API reads and changes it."""

from marshmallow import ValidationError, fields, validates_schema

from placement.contract import DateTime, Integer
from placement.resources.common import PageArgsSchema, StrictSchema, text
from placement.services.policy import PolicySettingsSchema


class PolicyChangeSchema(PolicySettingsSchema):
    """The values to change, each replacing its current one, and why (required)."""

    reason = text(200, required=True)

    @validates_schema
    def _changes_something(self, data, **_):
        if set(data) <= {"reason"}:
            raise ValidationError("give at least one setting to change", "_schema")


class AuthorSchema(StrictSchema):
    id = Integer()
    username = fields.String()


class ChangeSchema(StrictSchema):
    field = fields.String(metadata={"description": "e.g. min_suspect_distance_km.high"})
    before = fields.Raw()
    after = fields.Raw()


class PolicyVersionSchema(StrictSchema):
    version = Integer()
    changed_at = DateTime()
    changed_by = fields.Nested(AuthorSchema, allow_none=True,
                               metadata={"description": "null: command line or network file"})
    source = fields.String(metadata={"description": "api, command or network_file"})
    reason = fields.String()
    settings = fields.Nested(PolicySettingsSchema,
                             metadata={"description": "the values this version sets"})
    changes = fields.List(fields.Nested(ChangeSchema))


class PolicySchema(StrictSchema):
    settings = fields.Nested(PolicySettingsSchema,
                             metadata={"description": "every value in force, defaults included"})
    version = fields.Nested(PolicyVersionSchema, allow_none=True,
                            metadata={"description": "the version in force; null: defaults"})


class PolicyHistoryArgsSchema(PageArgsSchema):
    pass
