"""Room and bed changes by shelter managers."""

from marshmallow import fields, validate

from placement.contract import Integer
from placement.models.shelter import PERSON_GENDERS, ROOM_GENDERS, ROOM_KINDS
from placement.resources.common import StrictSchema, text


class RoomCreateSchema(StrictSchema):
    code = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
    )
    kind = fields.String(required=True, validate=validate.OneOf(ROOM_KINDS))
    gender = fields.String(required=True, validate=validate.OneOf(ROOM_GENDERS))
    beds = Integer(required=True, validate=validate.Range(1, 100))


class BedsAddSchema(StrictSchema):
    count = Integer(required=True, validate=validate.Range(1, 100))


class BedStatusSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(("out_of_service", "available")))
    reason = text(200, required=True)


class ResidentSchema(StrictSchema):
    gender = fields.String(required=True, validate=validate.OneOf(PERSON_GENDERS))
    age = Integer(required=True, validate=validate.Range(0, 120))
    group = text(60, required=True, metadata={"description": "Same label for one family"})
    reason = text(200, load_default="arrived outside the system")
