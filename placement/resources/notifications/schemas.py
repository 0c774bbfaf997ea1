"""Notifications as their recipient reads them."""

from marshmallow import fields

from placement.resources.common import PageArgsSchema, StrictSchema


class NotificationSchema(StrictSchema):
    id = fields.Integer()
    kind = fields.String()
    payload = fields.Dict(keys=fields.String())
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class NotificationQueryArgsSchema(PageArgsSchema):
    unread = fields.Boolean(metadata={"description": "true: unread only; false: read only"})
