"""Login, token and current-user schemas."""

from marshmallow import fields

from placement.contract import DateTime, Integer
from placement.resources.common import StrictSchema, text


class LoginSchema(StrictSchema):
    username = text(80, required=True)
    password = text(200, required=True, load_only=True)


class TokenSchema(StrictSchema):
    token = fields.String()
    expires_at = DateTime()


class MeSchema(StrictSchema):
    id = Integer()
    username = fields.String()
    role = fields.String()
    organisation = fields.String(attribute="organisation.code", allow_none=True)
    region = fields.String(attribute="region_code", allow_none=True)
    shelters = fields.Method("_shelter_ids")

    def _shelter_ids(self, user):
        return [shelter.id for shelter in user.shelters]
