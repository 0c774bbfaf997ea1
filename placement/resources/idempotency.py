"""Idempotency-Key on creating POSTs: a retried request creates nothing twice.

The key is claimed by a row added in the POST's own transaction, so the claim commits exactly
when the effect does, and vanishes with it on rollback. The answer is then kept (sealed: it may
carry case data) and replayed to a retry with the same key and body, for IDEMPOTENCY_TTL; after
that the key is free again (and a job deletes it). A view whose answer carries a case's data says
which case (`about_case`): closing that case blanks the answer, so nothing purged comes back.
"""

import functools
import hashlib
import json

import sqlalchemy as sa
from flask import Response, current_app, request
from sqlalchemy.exc import IntegrityError

from placement import clock
from placement.auth import current_user
from placement.crypto import open_sealed, seal
from placement.errors import BadRequest, Conflict, RuleViolation
from placement.extensions import db
from placement.models import Case, IdempotencyKey

PURPOSE = "idempotency.response"


def _fingerprint():
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    digest.update(request.get_data() or b"")
    return digest.hexdigest()


def about_case(case_id):
    """Called by a view: the answer it returns carries the data of case `case_id`."""
    request.streha_idempotency_case = case_id


def _expired(row):
    return row.created_at <= clock.now() - current_app.config["IDEMPOTENCY_TTL"]


def _replay(row, fingerprint):
    if row.fingerprint != fingerprint:
        raise RuleViolation("Idempotency-Key: already used for a different request",
                            {"Idempotency-Key": ["reused"]})
    # Closing the case blanks the answer; this covers one kept in the instant the case closed.
    closed = row.case_id is not None and db.session.get(Case, row.case_id).status != "open"
    if row.status_code is None or closed:
        raise Conflict("Idempotency-Key: the first request with this key is still in progress"
                       " or its answer was not kept; look the object up instead")
    stored = open_sealed(row.body, PURPOSE)
    response = Response(json.dumps(stored["body"]), status=row.status_code,
                        mimetype="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(view):
    """View decorator (outside flask-smorest's): honour an Idempotency-Key header."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return view(*args, **kwargs)
        if not 1 <= len(key) <= 100 or not key.isprintable():
            raise BadRequest("Idempotency-Key: 1 to 100 printable characters")
        user, fingerprint = current_user(), _fingerprint()
        found = db.session.scalar(
            sa.select(IdempotencyKey).where(IdempotencyKey.user_id == user.id,
                                            IdempotencyKey.key == key)
        )
        if found is not None and _expired(found):
            # Past its time the key is free again, as if the job had already deleted it.
            db.session.delete(found)
            db.session.flush()
        elif found is not None:
            return _replay(found, fingerprint)
        claim = IdempotencyKey(user_id=user.id, key=key, fingerprint=fingerprint,
                               created_at=clock.now())
        db.session.add(claim)
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            raise Conflict("Idempotency-Key: a request with this key is in progress") from None
        response = view(*args, **kwargs)
        if response.status_code < 500 and response.is_json:
            claim.status_code = response.status_code
            claim.body = seal({"body": response.get_json()}, PURPOSE)
            claim.case_id = getattr(request, "streha_idempotency_case", None)
        # The view's transaction boundary (resources/common.py) commits the claim with the effect.
        return response

    return wrapper
