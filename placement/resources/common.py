"""Pieces every resource shares: the transaction boundary, the strict Blueprint and schema,
bounded field helpers."""

import functools

import flask_smorest as smorest
from flask.views import MethodView
from marshmallow import RAISE, fields, validate
from webargs.flaskparser import FlaskParser

from placement.contract import ContractSchema, Integer
from placement.extensions import db

# Ids are 32-bit in both databases: a larger number is no id, and must not reach the driver.
MAX_ID = 2**31 - 1
ID_RANGE = validate.Range(1, MAX_ID)


class StrictSchema(ContractSchema):
    """Rejects unknown fields (422 naming them); whole numbers strict, times in UTC."""

    class Meta:
        unknown = RAISE


def text(max_length, required=False, **kwargs):
    return fields.String(
        required=required, validate=validate.Length(min=1, max=max_length), **kwargs
    )


class ReasonSchema(StrictSchema):
    reason = text(200, required=True)


class PageArgsSchema(StrictSchema):
    """Limit and offset, bounded; list views answer with X-Total-Count."""

    limit = Integer(from_text=True, load_default=50, validate=validate.Range(1, 500))
    offset = Integer(from_text=True, load_default=0, validate=validate.Range(0, 1_000_000))


class StrictParser(FlaskParser):
    """Let each schema's own `unknown` rule (RAISE) apply in every location, query included:
    webargs otherwise drops unknown query parameters silently."""

    DEFAULT_UNKNOWN_BY_LOCATION: dict = {}


class Blueprint(smorest.Blueprint):
    """flask-smorest's Blueprint with the strict parser; every resource uses this one."""

    ARGUMENTS_PARSER = StrictParser()


def transaction(view):
    """The one transaction boundary of an API view: the whole view runs, its answer serialized
    included, then its changes commit; an error (or an error answer) rolls them back. So nothing
    is half-written, and no answer is built from a session that has already committed."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        try:
            response = view(*args, **kwargs)
        except BaseException:
            db.session.rollback()
            raise
        if getattr(response, "status_code", 200) >= 400:
            db.session.rollback()
        else:
            db.session.commit()
        return response

    return wrapper


class View(MethodView):
    """Base of every API resource: each method runs inside `transaction`."""

    decorators = [transaction]
