"""The API's shared value types: whole numbers that are whole numbers, times that say they are UTC.

Every schema of the API (placement/resources/*/schemas.py) and of the network file derives from
ContractSchema, which refuses marshmallow's plain Integer and DateTime so that these two rules hold
everywhere, in nested objects too, without each schema remembering them.
"""

from datetime import UTC, datetime

from marshmallow import Schema, ValidationError, fields, missing

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
    """Refuses a plain fields.Integer or fields.DateTime when the schema is built; dumps each
    object by a plan made once per schema instance (`_serialize`)."""

    def _serialize(self, obj, *, many=False):
        """marshmallow's loop over the fields, with what it does for every field of every
        object done once: which key each field reads and writes, and how it formats a value.
        Its per-field machinery (accessor, get_value, dump defaults, the dotted-key check) was
        most of what a list of 50 shelters cost the web worker at 2,500 shelters (38 % of its
        CPU, profiled). The answer is marshmallow's own, key for key and in the same order: a
        field this cannot read simply (a dotted attribute, a method field, a missing value with
        a dump default) goes through `field.serialize` as before; the test suite compares every
        dump it makes with marshmallow's (tests/conftest.py)."""
        if many and obj is not None:
            return [self._serialize(item) for item in obj]
        plan = self.__dict__.get("_streha_plan")
        if plan is None:
            plan = self._streha_plan = _plan(self)
        found = self.dict_class()
        for key, attr, read, field, write in plan:
            value = missing if read is None else _value(obj, read)
            if value is missing:
                if read is not None and field.dump_default is missing:
                    continue  # as marshmallow: nothing to read, no default, no key
                value = field.serialize(attr, obj, accessor=self.get_attribute)
                if value is missing:
                    continue
                found[key] = value
            else:
                found[key] = write(value, attr, obj)
        return found

    def on_bind_field(self, field_name, field_obj):
        better = _REPLACED.get(type(field_obj))
        if better is not None:
            raise TypeError(f"{type(self).__name__}.{field_name}: use placement.contract."
                            f"{better.__name__}, not marshmallow's {type(field_obj).__name__}")
        super().on_bind_field(field_name, field_obj)


def _plan(schema):
    """(output key, field name, key to read or None for field.serialize, field, format) for
    each dumped field, in marshmallow's order."""
    simple_reads = type(schema).get_attribute is Schema.get_attribute
    plan = []
    for attr, field in schema.dump_fields.items():
        read = attr if field.attribute is None else field.attribute
        if not (simple_reads and field._CHECK_ATTRIBUTE and "." not in read):
            read = None
        key = attr if field.data_key is None else field.data_key
        plan.append((key, attr, read, field, _format(field)))
    return plan


def _format(field):
    """The field's own formatting, with marshmallow's steps for a value that needs none skipped:
    a str for a String (in a List too), a bool for a Boolean, a float for a Float."""
    write = field._serialize
    kind = type(field)
    if kind is fields.String:
        return lambda value, attr, obj: value if type(value) is str else write(value, attr, obj)
    if kind is fields.Boolean:
        return lambda value, attr, obj: value if type(value) is bool else write(value, attr, obj)
    if kind is fields.Float and not field.as_string:
        return lambda value, attr, obj: value if type(value) is float else write(value, attr, obj)
    if kind is fields.List and type(field.inner) is fields.String:
        text = field.inner._serialize
        return lambda value, attr, obj: None if value is None else [
            item if type(item) is str else text(item, attr, obj) for item in value]
    return write


def _value(obj, key):
    """marshmallow's reading of one key (utils.get_value without a dot): obj[key], else the
    attribute, else `missing`; a plain dict read directly."""
    if type(obj) is dict:
        value = obj.get(key, missing)
        return getattr(obj, key, missing) if value is missing else value
    if not hasattr(obj, "__getitem__"):
        return getattr(obj, key, missing)
    try:
        return obj[key]
    except (KeyError, IndexError, TypeError, AttributeError):
        return getattr(obj, key, missing)
