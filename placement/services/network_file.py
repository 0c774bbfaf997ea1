"""The network file: its schema, and error messages that name the path of the offending value."""

from marshmallow import RAISE, ValidationError, fields, validate, validates_schema

from placement.contract import ContractSchema, Integer
from placement.models.shelter import (
    DISCLOSURES,
    GENDER_POLICIES,
    PERSON_GENDERS,
    ROOM_GENDERS,
    ROOM_KINDS,
    SECURITY_LEVELS,
    SHELTER_KINDS,
)
from placement.services.policy import PolicySettingsSchema

CODE = validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,59}$", error="must be a lowercase slug")
NAME = validate.Length(min=1, max=200)
# A phone line for referrals: digits with spaces, dashes or brackets, an optional leading +.
PHONE = validate.Regexp(r"^\+?[0-9][0-9 ()-]{4,30}[0-9]$", error="must be a phone number")


class NetworkError(ValueError):
    """The network file is not valid; the message names every offending path."""


class _Strict(ContractSchema):
    class Meta:
        unknown = RAISE


# Optional names in other languages, by locale ("sq", "sr_Latn"): the pages show the user's one.
LOCALE = validate.Regexp(r"^[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2})?$", error="not a locale code")
NAMES = fields.Dict(keys=fields.String(validate=LOCALE), values=fields.String(validate=NAME))


class RegionEntrySchema(_Strict):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=NAME)
    names = NAMES


class MunicipalityEntrySchema(_Strict):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=NAME)
    names = NAMES
    region = fields.String(required=True, validate=CODE)
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    # Optional: residents, for capacity against the Council of Europe standard (places per 10,000).
    population = Integer(
        load_default=None, allow_none=True, validate=validate.Range(0, 100_000_000)
    )


class OccupantEntrySchema(_Strict):
    gender = fields.String(required=True, validate=validate.OneOf(PERSON_GENDERS))
    age = Integer(required=True, validate=validate.Range(0, 120))
    group = fields.String(required=True, validate=validate.Length(min=1, max=60))


class RoomEntrySchema(_Strict):
    id = fields.String(
        required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
    )
    kind = fields.String(required=True, validate=validate.OneOf(ROOM_KINDS))
    gender = fields.String(required=True, validate=validate.OneOf(ROOM_GENDERS))
    beds = Integer(required=True, validate=validate.Range(1, 100))
    occupants = fields.List(fields.Nested(OccupantEntrySchema), load_default=list)
    held = Integer(
        load_default=0, validate=validate.Equal(0, error="holds belong to requests")
    )

    @validates_schema
    def _fits(self, data, **_):
        if len(data.get("occupants", [])) > data.get("beds", 0):
            raise ValidationError("more occupants than beds", "occupants")


RADIUS = validate.Range(min=0, max=200, min_inclusive=False)


class PointSchema(_Strict):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))


class RadiiSchema(_Strict):
    municipality = fields.Float(validate=RADIUS)
    region = fields.Float(validate=RADIUS)


class ShelterEntrySchema(_Strict):
    id = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=NAME)
    kind = fields.String(required=True, validate=validate.OneOf(SHELTER_KINDS))
    region = fields.String(required=True, validate=CODE)
    municipality = fields.String(required=True, validate=CODE)
    location_disclosure = fields.String(
        load_default="municipality", validate=validate.OneOf(DISCLOSURES)
    )
    lat = fields.Float(validate=validate.Range(-90, 90))
    lon = fields.Float(validate=validate.Range(-180, 180))
    # The public area: the anchor defaults to the disclosed centroid, the radius to the
    # network's for the disclosure level. The exact point must lie within the radius.
    anchor = fields.Nested(PointSchema, load_default=None, allow_none=True)
    privacy_radius_km = fields.Float(load_default=None, allow_none=True, validate=RADIUS)
    security_level = fields.String(
        load_default="standard", validate=validate.OneOf(SECURITY_LEVELS)
    )
    gender_policy = fields.String(required=True, validate=validate.OneOf(GENDER_POLICIES))
    accepts_unaccompanied_minors = fields.Boolean(load_default=False)
    accepts_accompanied_children = fields.Boolean(load_default=False)
    max_accompanying_boy_age = Integer(
        load_default=None, allow_none=True, validate=validate.Range(0, 17)
    )
    languages = fields.List(
        fields.String(validate=validate.Regexp(r"^[a-z]{2}$", error="must be ISO 639-1")),
        load_default=list,
        validate=validate.Length(max=30),
    )
    services = fields.List(
        fields.String(validate=validate.Regexp(r"^[a-z][a-z_]{1,39}$")),
        load_default=list,
        validate=validate.Length(max=30),
    )
    wheelchair_accessible = fields.Boolean(load_default=False)
    referral_phone = fields.String(load_default=None, allow_none=True, validate=PHONE)
    rooms = fields.List(
        fields.Nested(RoomEntrySchema), required=True, validate=validate.Length(max=200)
    )

    @validates_schema
    def _location(self, data, **_):
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("give both lat and lon, or neither", "lat")


class OrganisationEntrySchema(_Strict):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=NAME)


class NetworkSchema(_Strict):
    # Only the shipped demo network sets this: each install then draws its own fictional locations.
    generate_locations = fields.Boolean(load_default=False)
    # The municipality polygons: a packaged geometry name or an index file beside this one.
    geometry = fields.String(allow_none=True, validate=validate.Length(min=1, max=300))
    # Privacy radius (km) by disclosure level; see services/areas.py for the defaults.
    privacy_radius_km = fields.Nested(RadiiSchema)
    # Without polygons: the largest distance from a municipality's centroid to its boundary.
    municipality_reach_km = fields.Float(validate=RADIUS)
    regions = fields.List(fields.Nested(RegionEntrySchema), required=True)
    municipalities = fields.List(fields.Nested(MunicipalityEntrySchema), required=True)
    organisations = fields.List(fields.Nested(OrganisationEntrySchema), load_default=list)
    shelters = fields.List(fields.Nested(ShelterEntrySchema), required=True)
    # The network's own policy (services/policy.py): what it leaves out keeps the default.
    policy = fields.Nested(PolicySettingsSchema)


def flatten_errors(messages, prefix=""):
    """marshmallow's nested errors as ['shelters[3].rooms[0].beds: must be ...', ...]."""
    lines = []
    for key, value in messages.items():
        path = f"{prefix}[{key}]" if isinstance(key, int) else f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            lines.extend(flatten_errors(value, path))
        else:
            texts = value if isinstance(value, list) else [value]
            lines.append(f"{path}: {' '.join(str(t) for t in texts)}")
    return lines


def parse_network(document):
    """Validate the whole file, including its cross references; NetworkError names every fault."""
    try:
        network = NetworkSchema().load(document)
    except ValidationError as error:
        raise NetworkError("\n".join(flatten_errors(error.messages))) from None
    faults = _cross_reference_faults(network)
    if faults:
        raise NetworkError("\n".join(faults))
    return network


def _duplicates(items, path, key):
    seen, faults = set(), []
    for i, item in enumerate(items):
        if item[key] in seen:
            faults.append(f"{path}[{i}].{key}: duplicate {item[key]!r}")
        seen.add(item[key])
    return faults


def _cross_reference_faults(network):
    faults = _duplicates(network["regions"], "regions", "code")
    faults += _duplicates(network["municipalities"], "municipalities", "code")
    faults += _duplicates(network["shelters"], "shelters", "id")
    regions = {r["code"] for r in network["regions"]}
    region_of = {m["code"]: m["region"] for m in network["municipalities"]}
    for i, m in enumerate(network["municipalities"]):
        if m["region"] not in regions:
            faults.append(f"municipalities[{i}].region: {m['region']!r} is not a region")
    for i, s in enumerate(network["shelters"]):
        faults += _duplicates(s["rooms"], f"shelters[{i}].rooms", "id")
        if s["municipality"] not in region_of:
            faults.append(
                f"shelters[{i}].municipality: {s['municipality']!r} is not a municipality"
            )
        elif region_of[s["municipality"]] != s["region"]:
            faults.append(f"shelters[{i}].region: {s['municipality']!r} lies in another region")
        if "lat" not in s and not network["generate_locations"]:
            faults.append(f"shelters[{i}].lat: a shelter needs its location")
    return faults
