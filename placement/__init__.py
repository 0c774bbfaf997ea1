"""Streha's Flask service: create_app builds the app and does nothing else."""

import re
import uuid
from pathlib import Path

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from placement.bodies import bound_json_depth
from placement.config import build_config
from placement.errors import register_error_handlers
from placement.extensions import api, db, migrate
from placement.resources.common import MAX_ID
from placement.worker import init_queue, owns_table

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config=None):
    """Build the app from defaults, instance secrets, the environment and `config` overrides."""
    # Static files (our CSS and JS, vendored htmx and Swagger UI) are the pages': see placement/web.
    app = Flask(__name__, instance_relative_config=True, static_folder="web/static")
    app.config.update(build_config(app.instance_path, config))
    if app.config["PROXY_HOPS"]:
        # Behind a reverse proxy: the client's address (login rate limits) and its scheme (HSTS).
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.url_map.converters["int"] = BoundedInt
    db.init_app(app)
    # The run queue's own tables (PostgreSQL storage) are not the models': autogenerate skips them.
    migrate.init_app(app, db, directory=str(MIGRATIONS),
                     include_name=lambda name, kind, _up: kind != "table" or not owns_table(name))
    init_queue(app, config)
    api.init_app(app)
    _register_resources(app)
    _register_pages(app)
    register_error_handlers(app)
    app.before_request(_tag_request)
    app.before_request(bound_json_depth)
    app.after_request(_secure_headers)
    from placement.cli import register_commands

    register_commands(app)
    return app


class BoundedInt(IntegerConverter):
    """<int:...> in routes stops at the largest id the databases hold: past it, a plain 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def _register_resources(app):
    from placement.resources import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")


def _register_pages(app):
    from placement.resources import BLUEPRINTS
    from placement.web import init_web
    from placement.web.errors import page_error

    init_web(app, BLUEPRINTS)
    app.extensions["streha_page_error"] = page_error


# A caller's own request id is kept only when it is a plain token: it lands in audit rows, logs
# and response headers, where markup or free text has no business.
REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")


def _tag_request():
    supplied = request.headers.get("X-Request-ID", "")
    g.request_id = supplied if REQUEST_ID.fullmatch(supplied) else uuid.uuid4().hex


# Every response, page or JSON: our own scripts and styles only, nothing inline, no framing.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"


def _secure_headers(response):
    response.headers["X-Request-ID"] = g.get("request_id", "")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    if request.is_secure:
        # Over TLS (directly, or behind a proxy counted by PROXY_HOPS): stay on TLS.
        response.headers["Strict-Transport-Security"] = HSTS
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response
