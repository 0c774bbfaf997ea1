"""The placement policy in force: its defaults, its stored versions, and changing it.

The policy is the changeable data of SPEC §3-§5: the shelter kinds each (category, risk) may use
(H3), the priority weights, the minimum distance from suspects by risk, how long a hold lasts,
the reflection period and the retention period.
With no version stored, the built-in defaults apply (the optimizer's, and HOLD_TTL,
REFLECTION_PERIOD and CASE_RETENTION from the configuration). A version stores only the values
it sets; everything else keeps its default. Versions are only added, never changed, and each is
read again by the next proposal, hold, acceptance and run, so a change needs no restart.
"""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from optimizer.hard.h3_kind import DEFAULT_ALLOWED_KINDS, KINDS, PROFILES
from optimizer.io import policy_from_dict
from optimizer.types import (
    DEFAULT_MIN_SUSPECT_DISTANCE_KM,
    DEFAULT_RISK_WEIGHTS,
    DEFAULT_URGENCY_WEIGHTS,
    RISKS,
    InstanceError,
)
from placement import clock, locks
from placement.errors import RuleViolation
from placement.extensions import db
from placement.models import PolicyVersion, User
from placement.services import audit, preconditions
from placement.services.paging import page

TABLES = ("allowed_kinds", "urgency_weights", "risk_weights", "min_suspect_distance_km")
# What the optimizer reads; the other settings are the service's own.
OPTIMIZER_SETTINGS = TABLES
DAYS_PER_MONTH = 365 / 12


class _Strict(Schema):
    class Meta:
        unknown = RAISE


class _Number(fields.Float):
    """A JSON number only: "30" is text, not a distance."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def _weight():
    return fields.Integer(strict=True, validate=validate.Range(1, 100))


def _distance():
    return _Number(validate=validate.Range(0, 500))


class UrgencyWeightsSchema(_Strict):
    routine = _weight()
    urgent = _weight()
    emergency = _weight()


class RiskWeightsSchema(_Strict):
    low = _weight()
    medium = _weight()
    high = _weight()


class SuspectDistancesSchema(_Strict):
    low = _distance()
    medium = _distance()
    high = _distance()


def _unique(values):
    if len(set(values)) != len(values):
        raise ValidationError("lists a kind twice")


def _kinds():
    """The shelters one (category, risk) may go to: at least one, each named once."""
    return fields.List(fields.String(validate=validate.OneOf(KINDS)),
                       validate=[validate.Length(1, len(KINDS)), _unique])


# H3's table, one entry per "category/risk" (e.g. "thb/high": ["thb/high"]).
AllowedKindsSchema = _Strict.from_dict({profile: _kinds() for profile in PROFILES},
                                       name="AllowedKindsSchema")


class PolicySettingsSchema(_Strict):
    """The `policy` of a network file, and of a change: each value given replaces its default."""

    allowed_kinds = fields.Nested(AllowedKindsSchema)
    urgency_weights = fields.Nested(UrgencyWeightsSchema)
    risk_weights = fields.Nested(RiskWeightsSchema)
    min_suspect_distance_km = fields.Nested(SuspectDistancesSchema)
    hold_ttl_minutes = fields.Integer(strict=True, validate=validate.Range(15, 24 * 60))
    reflection_period_days = fields.Integer(strict=True, validate=validate.Range(1, 365))
    retention_months = fields.Integer(strict=True, validate=validate.Range(1, 120))

    @validates_schema
    def _higher_risk_keeps_further(self, data, **_):
        problem = distance_order_problem(data.get("min_suspect_distance_km", {}))
        if problem:
            raise ValidationError({"min_suspect_distance_km": {problem[0]: [problem[1]]}})


def distance_order_problem(distances):
    """(risk, message) when a higher risk would keep a suspect closer than a lower risk does."""
    given = [risk for risk in RISKS if risk in distances]
    for lower, higher in zip(given, given[1:], strict=False):
        if distances[higher] < distances[lower]:
            return higher, f"must be at least {lower}'s {distances[lower]:g} km"
    return None


def defaults():
    """The policy when none is stored: the optimizer's tables and the configuration's periods."""
    config = current_app.config
    retention = config.get("CASE_RETENTION", timedelta(days=365))
    return {
        "allowed_kinds": {key: list(kinds) for key, kinds in DEFAULT_ALLOWED_KINDS.items()},
        "urgency_weights": dict(DEFAULT_URGENCY_WEIGHTS),
        "risk_weights": dict(DEFAULT_RISK_WEIGHTS),
        "min_suspect_distance_km": dict(DEFAULT_MIN_SUSPECT_DISTANCE_KM),
        "hold_ttl_minutes": int(config["HOLD_TTL"].total_seconds() // 60),
        "reflection_period_days": config.get("REFLECTION_PERIOD", timedelta(days=90)).days,
        "retention_months": round(retention.days / DAYS_PER_MONTH),
    }


def _merged(base, overrides):
    merged = {key: dict(value) if isinstance(value, dict) else value
              for key, value in base.items()}
    for key, value in overrides.items():
        if isinstance(value, dict):
            merged[key] = {**merged.get(key, {}), **value}
        else:
            merged[key] = value
    return merged


def latest_version():
    return db.session.scalar(sa.select(PolicyVersion).order_by(PolicyVersion.id.desc()).limit(1))


def etag():
    """The ETag of the policy in force: its version (v0 while only the defaults apply)."""
    version = latest_version()
    return f'"policy-v{version.id if version else 0}"'


def check_if_match(if_match):
    """A change must name the version it was made from (If-Match), so no administrator's
    change silently replaces one made since they read the policy. The policy's lock is held
    from here to the commit, so two changes over the same version cannot both pass."""
    locks.transaction_lock("policy")
    preconditions.check_if_match(etag(), if_match, True, "the policy")


def current():
    """The policy in force now: the defaults with the newest version's settings over them."""
    version = latest_version()
    return _merged(defaults(), version.settings if version else {})


def optimizer_policy():
    """The `policy` object of an optimizer instance (SPEC §5) for the policy in force."""
    return optimizer_settings(latest_version())


def optimizer_settings(version):
    """The `policy` object of an optimizer instance under this version (None: the defaults)."""
    settings = _merged(defaults(), version.settings if version else {})
    return {name: settings[name] for name in OPTIMIZER_SETTINGS}


def hold_ttl():
    return timedelta(minutes=current()["hold_ttl_minutes"])


def reflection_period():
    return timedelta(days=current()["reflection_period_days"])


def retention():
    return timedelta(days=round(current()["retention_months"] * DAYS_PER_MONTH))


def _flat(settings, prefix=""):
    flat = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def change(settings, reason, actor=None, source="api", replace=False):
    """Store a new version with `settings` over the stored ones (or instead of them, `replace`).

    Returns the new version, or None when nothing would change (a network file loaded again).
    `settings` were validated by PolicySettingsSchema; raises RuleViolation naming the field
    when the policy they make is not consistent.
    """
    locks.transaction_lock("policy")
    stored = latest_version()
    before_settings = stored.settings if stored else {}
    after_settings = settings if replace else _merged(before_settings, settings)
    if stored is not None and after_settings == before_settings:
        return None
    before = _flat(_merged(defaults(), before_settings))
    after_policy = _merged(defaults(), after_settings)
    problem = distance_order_problem(after_policy["min_suspect_distance_km"])
    if problem:
        field = f"min_suspect_distance_km.{problem[0]}"
        raise RuleViolation(f"{field}: {problem[1]}", {field: [problem[1]]})
    try:
        # The optimizer's own check of the whole policy is the last wall.
        policy_from_dict({name: after_policy[name] for name in OPTIMIZER_SETTINGS})
    except InstanceError as error:
        field = error.path.removeprefix("policy.")
        raise RuleViolation(f"{field}: {error.problem}", {field: [error.problem]}) from None
    after = _flat(after_policy)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    version = PolicyVersion(created_at=clock.now(), created_by_id=actor.id if actor else None,
                            source=source, reason=reason, settings=after_settings,
                            changes=changes)
    db.session.add(version)
    db.session.flush()
    # Field names only: the reason is free text and stays in the policy's own history.
    audit.record("policy.change", "policy", version.id, actor=actor,
                 detail=",".join(sorted(changes)) or "no effective change")
    return version


def history(limit, offset):
    """A page of the versions, newest first, and how many there are."""
    return page(sa.select(PolicyVersion).order_by(PolicyVersion.id.desc()), limit, offset)


def version_view(version):
    """A version as the API and the command line show it: who, when, why, what changed."""
    author = db.session.get(User, version.created_by_id) if version.created_by_id else None
    return {
        "version": version.id,
        "changed_at": version.created_at,
        "changed_by": {"id": author.id, "username": author.username} if author else None,
        "source": version.source,
        "reason": version.reason,
        "settings": version.settings,
        "changes": [{"field": key, "before": values[0], "after": values[1]}
                    for key, values in sorted(version.changes.items())],
    }


def policy_view():
    """The policy in force, with the version that set it (null when only defaults apply)."""
    version = latest_version()
    return {"settings": current(), "version": version_view(version) if version else None}
