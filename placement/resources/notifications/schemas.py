"""Notifications as their recipient reads them."""

from marshmallow import fields

from placement.contract import DateTime, Integer
from placement.resources.common import PageArgsSchema, StrictSchema


class NotificationSchema(StrictSchema):
    id = Integer()
    kind = fields.String()
    payload = fields.Dict(keys=fields.String())
    created_at = DateTime()
    read_at = DateTime(allow_none=True)


class NotificationQueryArgsSchema(PageArgsSchema):
    unread = fields.Boolean(metadata={"description": "true: unread only; false: read only"})
