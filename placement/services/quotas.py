"""Quotas on a case manager's work in progress: placement requests and active holds, per account
and per organisation (settings QUOTA_*; 0 turns one off).

One account (or one organisation's) may otherwise ask for requests and hold beds without end, and
a hold keeps beds from everyone else's cases. A request or hold past a quota is a 409 naming the
limit. Coordinators are not counted: their work is their region's (or the country's) queue.

The count and the write are one step: the organisation's and the account's transaction locks are
taken first (after any request and shelter locks the caller holds, never before them).
"""

import sqlalchemy as sa
from flask import current_app

from placement import clock, locks
from placement.errors import Conflict
from placement.extensions import db
from placement.models import Case, Hold, PlacementRequest

IN_PROGRESS = ("open", "held", "accepted")


def _lock(user):
    locks.transaction_lock(f"quota:organisation:{user.organisation_id}",
                           f"quota:account:{user.id}")


def _refuse_at(limit, count, what):
    allowed = current_app.config[f"QUOTA_{limit.upper()}"]
    if allowed and count >= allowed:
        raise Conflict(f"{what}: at most {allowed} at once ({limit.replace('_', ' ')});"
                       " finish or withdraw one first", {"limit": limit, "allowed": allowed})


def _of_organisation(user):
    return sa.select(PlacementRequest.id).join(Case, Case.id == PlacementRequest.case_id).where(
        Case.organisation_id == user.organisation_id
    )


def check_request(user):
    """Before a case manager's new placement request: refuse one past a quota."""
    if user.role != "case_manager":
        return
    _lock(user)
    in_progress = PlacementRequest.status.in_(IN_PROGRESS)
    mine = db.session.scalar(sa.select(sa.func.count(PlacementRequest.id)).where(
        in_progress, PlacementRequest.created_by_id == user.id))
    _refuse_at("open_requests_per_account", mine, "placement requests in progress")
    ours = db.session.scalar(sa.select(sa.func.count(PlacementRequest.id)).where(
        in_progress, PlacementRequest.id.in_(_of_organisation(user))))
    _refuse_at("open_requests_per_organisation", ours, "placement requests in progress")


def check_hold(user):
    """Before a case manager's new hold: refuse one past a quota."""
    if user.role != "case_manager":
        return
    _lock(user)
    # A hold past its time no longer counts, though the expiry job may not have freed it yet.
    active = sa.and_(Hold.status == "active", Hold.expires_at > clock.now())
    mine = db.session.scalar(sa.select(sa.func.count(Hold.id)).where(
        active, Hold.created_by_id == user.id))
    _refuse_at("active_holds_per_account", mine, "active holds")
    ours = db.session.scalar(sa.select(sa.func.count(Hold.id)).where(
        active, Hold.request_id.in_(_of_organisation(user))))
    _refuse_at("active_holds_per_organisation", ours, "active holds")
