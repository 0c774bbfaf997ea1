"""The API's shared value types: whole numbers that are whole numbers, times that say they are UTC.

Every schema of the API (placement/resources/*/schemas.py) and of the network file derives from
ContractSchema, which refuses marshmallow's plain Integer and DateTime so that these two rules hold
everywhere, in nested objects too, without each schema remembering them.
"""

from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields

# Digits only, with an optional minus: how a whole number arrives in a query string.
_DIGITS = frozenset("0123456789")


class Integer(fields.Integer):
    """A JSON whole number: 31 is one, "31", 30.5 and true are not (422 naming the field).

    `from_text` is for query strings, where every value is text: digits only, "30.5" refused.
    """

    default_error_messages = {"invalid": "Not a valid integer.", "text": "Not a whole number."}

    def __init__(self, *, from_text=False, **kwargs):
        super().__init__(strict=True, **kwargs)
        self.from_text = from_text

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if self.from_text and isinstance(value, str):
            digits = value[1:] if value.startswith("-") else value
            if not digits or not set(digits) <= _DIGITS or len(digits) > 18:
                raise self.make_error("text")
            value = int(value)
        return super()._deserialize(value, attr, data, **kwargs)


class DateTime(fields.DateTime):
    """A moment as ISO 8601 with its offset, always UTC: 2026-11-30T14:28:38Z.

    The service stores naive UTC (placement/clock.py); this is where it says so to clients.
    """

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise ValidationError("Not a datetime.")
        return iso_utc(value)


def iso_utc(value: datetime) -> str:
    """A stored (naive UTC) or aware moment as the API writes it: ISO 8601 ending in Z."""
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return moment.isoformat().replace("+00:00", "Z")


# The plain marshmallow types these replace: binding one of them is a programming error.
_REPLACED = {fields.Integer: Integer, fields.Int: Integer, fields.DateTime: DateTime}


class ContractSchema(Schema):
    """Refuses a plain fields.Integer or fields.DateTime when the schema is built."""

    def on_bind_field(self, field_name, field_obj):
        better = _REPLACED.get(type(field_obj))
        if better is not None:
            raise TypeError(f"{type(self).__name__}.{field_name}: use placement.contract."
                            f"{better.__name__}, not marshmallow's {type(field_obj).__name__}")
        super().on_bind_field(field_name, field_obj)
