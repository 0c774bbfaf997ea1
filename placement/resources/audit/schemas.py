"""Audit log rows as the administrator reads them, and the filters."""

from datetime import UTC

from marshmallow import ValidationError, fields, validate, validates_schema

from placement.contract import DateTime, Integer
from placement.resources.common import ID_RANGE, PageArgsSchema, StrictSchema


class AuditEventSchema(StrictSchema):
    seq = Integer()
    at = DateTime()
    actor_id = Integer(allow_none=True)
    actor_role = fields.String(allow_none=True)
    action = fields.String()
    object_type = fields.String(allow_none=True)
    object_id = fields.String(allow_none=True)
    outcome = fields.String()
    detail = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    hash = fields.String()


class AuditQueryArgsSchema(PageArgsSchema):
    action = fields.String(
        validate=validate.Regexp(r"^[a-z_.]{1,60}$"),
        metadata={"description": "An action (auth.login), or a prefix ending in a dot (auth.)"},
    )
    actor = Integer(from_text=True, validate=ID_RANGE, metadata={"description": "User id"})
    outcome = fields.String(validate=validate.OneOf(("ok", "denied", "failed")))
    since = fields.NaiveDateTime(timezone=UTC, metadata={"description": "UTC, inclusive"})
    until = fields.NaiveDateTime(timezone=UTC, metadata={"description": "UTC, exclusive"})

    @validates_schema
    def _window(self, data, **_):
        if "since" in data and "until" in data and data["since"] >= data["until"]:
            raise ValidationError("must be after since", "until")
