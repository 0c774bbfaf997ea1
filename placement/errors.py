"""Domain errors, and their one translation into HTTP responses of the shape of SPEC section 7."""

import logging
import traceback

from flask import current_app, g, jsonify
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from placement.extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    """An expected failure of the business; `message` is written for the client."""

    status = 400

    def __init__(self, message, errors=None, headers=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.headers = headers or {}


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    status = 401

    def __init__(self, message="authentication required", **kwargs):
        super().__init__(message, headers={"WWW-Authenticate": "Bearer"}, **kwargs)


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class PreconditionFailed(DomainError):
    status = 412


class RuleViolation(DomainError):
    status = 422


class PreconditionRequired(DomainError):
    status = 428


class TooManyRequests(DomainError):
    status = 429


def error_body(status, message, errors=None):
    return {
        "code": status,
        "status": HTTP_STATUS_CODES.get(status, "Error"),
        "message": message,
        "errors": errors or {},
    }


# Refusals answered to a caller; each is audited even though the request's changes roll back.
DENIED_STATUSES = (401, 403, 404, 429)


def _respond(status, message, errors=None, headers=None):
    db.session.rollback()
    if status in DENIED_STATUSES:
        _audit_denial(status)
    # Pages answer the same refusal as an HTML page (placement/web/errors.py).
    page_error = current_app.extensions.get("streha_page_error")
    response = page_error and page_error(status, message, errors)
    if response is None:
        response = jsonify(error_body(status, message, errors))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _audit_denial(status):
    """Write the refusal in a transaction of its own; failing to must not change the answer."""
    from placement.services import audit

    try:
        audit.record_denial(status)
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.error(
            "audit of a refusal failed (request %s): %s", g.get("request_id"), type(error).__name__
        )


def _validation_message(errors):
    """Name the fields at fault: 'json.persons.0.age: must be ...; json.colour: unknown field'."""
    parts = []

    def walk(prefix, node):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else str(key), value)
        elif isinstance(node, list) and node and all(isinstance(x, str) for x in node):
            parts.append(f"{prefix}: {' '.join(node)}")
        elif isinstance(node, list):
            for value in node:
                walk(prefix, value)

    walk("", errors)
    return "invalid input: " + "; ".join(parts[:20]) if parts else "invalid input"


def handle_http_exception(error):
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages") or {}
    message = data.get("message")
    if error.code == 422 and errors:
        message = message or _validation_message(errors)
    message = message or error.description or error.name
    return _respond(error.code, message, errors, data.get("headers"))


def handle_domain_error(error):
    return _respond(error.status, error.message, error.errors, error.headers)


def handle_integrity_error(error):
    log.warning("integrity error rolled back (request %s)", g.get("request_id"))
    return _respond(409, "the change conflicts with the current state; reload and try again")


def handle_stale_data(error):
    return _respond(409, "someone else changed this record; reload and try again")


def handle_operational_error(error):
    log.error("database error (request %s): %s", g.get("request_id"), type(error).__name__)
    return _respond(503, "the database is busy; try again")


def handle_unexpected(error):
    # The class and the frames, never the message: an exception's text can carry the values it
    # was handed (a coordinate, case data), and log lines leave the service.
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error("unhandled %s (request %s)\n%s", type(error).__name__, g.get("request_id"), frames)
    return _respond(500, "internal error; it has been logged")


def register_error_handlers(app):
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(OperationalError, handle_operational_error)
    app.register_error_handler(Exception, handle_unexpected)
