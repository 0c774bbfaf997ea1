"""Configuration: safe defaults, then the instance secrets file, then environment variables."""

import json
import os
from datetime import timedelta
from pathlib import Path

SECRET_NAMES = ("SECRET_KEY", "ENCRYPTION_KEYS", "ENCRYPTION_KEY_ID", "AUDIT_HMAC_KEY")


# Whole-number settings an environment variable of the same name may set.
INT_SETTINGS = (
    "QUOTA_OPEN_REQUESTS_PER_ACCOUNT",
    "QUOTA_OPEN_REQUESTS_PER_ORGANISATION",
    "QUOTA_ACTIVE_HOLDS_PER_ACCOUNT",
    "QUOTA_ACTIVE_HOLDS_PER_ORGANISATION",
    "LOGIN_MAX_FAILURES",
    "LOGIN_MAX_FAILURES_PER_USERNAME",
    "LOGIN_MAX_FAILURES_PER_ADDRESS",
    "JSON_MAX_DEPTH",
)


class UnsafeConfiguration(RuntimeError):
    """A production configuration was asked to run with a value that is not safe."""


def _env_int(name, default):
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def build_config(instance_path, overrides=None):
    """Return the app's configuration mapping; `overrides` (tests) win over everything."""
    instance = Path(instance_path)
    config = {
        "ENV_NAME": os.environ.get("STREHA_ENV", "development"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'streha.db'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "MAX_CONTENT_LENGTH": 64 * 1024,
        "JSON_MAX_DEPTH": 32,
        "TOKEN_IDLE_TIMEOUT": timedelta(minutes=30),
        # A token's last_used_at is written only once it is this old, not on every request, so it
        # lags the real last use by less than this: a token dies after between IDLE - TOUCH and
        # IDLE of real idleness (one minute, issue 11: one used 29 min ago lives, one idle 30 min
        # dies; early, never late).
        "TOKEN_TOUCH_INTERVAL": timedelta(minutes=1),
        "TOKEN_ABSOLUTE_TIMEOUT": timedelta(hours=12),
        # Failed logins only (placement/services/login_limits.py).
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_FAILURE_WINDOW": timedelta(minutes=15),
        "LOGIN_MAX_FAILURES_PER_USERNAME": 20,
        "LOGIN_USERNAME_WINDOW": timedelta(hours=1),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 30,
        "HOLD_TTL": timedelta(hours=2),
        # Work in progress per case manager and per organisation (placement/services/quotas.py).
        "QUOTA_OPEN_REQUESTS_PER_ACCOUNT": 15,
        "QUOTA_OPEN_REQUESTS_PER_ORGANISATION": 60,
        "QUOTA_ACTIVE_HOLDS_PER_ACCOUNT": 8,
        "QUOTA_ACTIVE_HOLDS_PER_ORGANISATION": 25,
        "IDEMPOTENCY_TTL": timedelta(hours=24),
        # Hourly occupancy snapshots are kept this long (history charts, a year of trends).
        "OCCUPANCY_SNAPSHOT_RETENTION": timedelta(days=400),
        # Lifecycle defaults, which a stored policy version may change (services/policy.py): a
        # stay this long is reminded of, and a closed case is purged this long after closing.
        "REFLECTION_PERIOD": timedelta(days=90),
        "CASE_RETENTION": timedelta(days=365),
        "PROXY_HOPS": 0,
        "SUSPECT_CHANGES_PER_DAY": 20,
        "API_TITLE": "Streha",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
        # /api/v1/docs is a page of ours (placement/web/views/docs.py) with pinned, vendored
        # Swagger UI: flask-smorest's own page loads it from a CDN and runs an inline script.
        "OPENAPI_SWAGGER_UI_PATH": None,
        "API_SPEC_OPTIONS": {
            "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearer": []}],
        },
    }
    # The page session cookie (placement/web/session.py): an opaque id, Secure in production.
    # In production the __Host- prefix also makes the browser refuse it without TLS or for a
    # sibling domain.
    production = config["ENV_NAME"] == "production"
    config["SESSION_COOKIE_NAME"] = "__Host-streha_session" if production else "streha_session"
    config["SESSION_COOKIE_SECURE"] = production
    config.update(_instance_secrets(instance))
    config.update(_environment())
    config.update(overrides or {})
    if config["ENV_NAME"] == "production":
        refuse_unsafe(config)
    return config


def _instance_secrets(instance):
    """Secrets written by `flask secrets init` (make run) so checkout commands need no env."""
    path = instance / "secrets.json"
    if not path.exists():
        return {}
    stored = json.loads(path.read_text())
    return {name: stored[name] for name in SECRET_NAMES if name in stored}


def _environment():
    found = {name: os.environ[name] for name in SECRET_NAMES if os.environ.get(name)}
    if os.environ.get("DATABASE_URL"):
        found["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(os.environ["DATABASE_URL"])
    if os.environ.get("HOLD_TTL_MINUTES"):
        found["HOLD_TTL"] = timedelta(minutes=_env_int("HOLD_TTL_MINUTES", 120))
    if os.environ.get("IDEMPOTENCY_TTL_HOURS"):
        found["IDEMPOTENCY_TTL"] = timedelta(hours=_env_int("IDEMPOTENCY_TTL_HOURS", 24))
    if os.environ.get("REFLECTION_PERIOD_DAYS"):
        found["REFLECTION_PERIOD"] = timedelta(days=_env_int("REFLECTION_PERIOD_DAYS", 90))
    if os.environ.get("CASE_RETENTION_DAYS"):
        found["CASE_RETENTION"] = timedelta(days=_env_int("CASE_RETENTION_DAYS", 365))
    for name in INT_SETTINGS:
        if os.environ.get(name):
            found[name] = _env_int(name, 0)
    if os.environ.get("OCCUPANCY_SNAPSHOT_RETENTION_DAYS"):
        days = _env_int("OCCUPANCY_SNAPSHOT_RETENTION_DAYS", 400)
        if days < 1:
            raise UnsafeConfiguration("OCCUPANCY_SNAPSHOT_RETENTION_DAYS must be at least 1")
        found["OCCUPANCY_SNAPSHOT_RETENTION"] = timedelta(days=days)
    if os.environ.get("PROXY_HOPS"):
        found["PROXY_HOPS"] = _env_int("PROXY_HOPS", 0)
    for name in ("AUDIT_ANCHOR_FILE", "AUDIT_ANCHOR_URL"):
        if os.environ.get(name):
            found[name] = os.environ[name]
    if os.environ.get("NOTIFY_WEBHOOK_URL"):
        found["NOTIFY_WEBHOOK_URL"] = os.environ["NOTIFY_WEBHOOK_URL"]
    # The optimizer run queue (placement/worker.py): Redis if given, else the database or a file.
    for name in ("REDIS_URL", "RUN_QUEUE_FILE"):
        if os.environ.get(name):
            found[name] = os.environ[name]
    if os.environ.get("NOTIFY_WEBHOOK_SECRET"):
        found["NOTIFY_WEBHOOK_SECRET"] = os.environ["NOTIFY_WEBHOOK_SECRET"]
    return found


def normalise_database_url(url):
    """Use psycopg 3 for plain postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def refuse_unsafe(config):
    missing = [name for name in SECRET_NAMES if not config.get(name)]
    if missing:
        raise UnsafeConfiguration(f"production needs {', '.join(missing)} set")
    if len(str(config["SECRET_KEY"])) < 32:
        raise UnsafeConfiguration("SECRET_KEY must be at least 32 characters")
    if config.get("DEBUG") or config.get("TESTING"):
        raise UnsafeConfiguration("production refuses DEBUG and TESTING")
