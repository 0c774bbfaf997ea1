"""Unmet need for a period and region: the figures that argue for more beds.

All of it is computed from what the workflow already records: requests and their events, holds
(declines with their reason codes, expiries), placements (no-shows, overrides) and the optimizer's
stored proposals with the rules that excluded shelters. A request belongs to the region of its
current municipality, as for a regional coordinator's queue. Nothing here names a case.
"""

import statistics
from datetime import timedelta

import sqlalchemy as sa

from optimizer.registry import CAPACITY_ONLY
from placement.errors import Forbidden
from placement.extensions import db
from placement.models import Hold, Municipality, Placement, PlacementRequest, Proposal, RequestEvent
from placement.models.workflow import DECLINE_REASONS
from placement.services.exclusions import stored_by_rule
from placement.services.occupancy import _check_region
from placement.services.occupancy_history import resolve_period

READERS = ("regional_coordinator", "national_coordinator")
MAX_PERIOD = timedelta(days=366)
DEFAULT_PERIOD = timedelta(days=30)
MILESTONES = {"first_hold": "hold.created", "acceptance": "hold.accepted",
              "arrival": "placement.arrived"}


def unmet_need(user, start=None, end=None, region=None):
    """Everything GET /occupancy/unmet-need answers, as plain dicts (pages call this too)."""
    if user.role not in READERS:
        raise Forbidden("unmet need is for regional and national coordinators")
    start, end = resolve_period(start, end, MAX_PERIOD, DEFAULT_PERIOD)
    _check_region(user, region)
    if user.role == "regional_coordinator":
        region = user.region_code
    in_scope = _requests_in(region)
    return {
        "from": start, "to": end, "region": region,
        "waits": _waits(in_scope, start, end),
        "declines": _declines(in_scope, start, end),
        "ended_without_placement": _ended_without_placement(in_scope, start, end),
        "optimizer_unplaced": _unplaced(in_scope, start, end),
        "overrides": _overrides(in_scope, start, end),
    }


def _requests_in(region):
    """A WHERE clause on a request id column: requests of the region (all when None)."""
    query = sa.select(PlacementRequest.id)
    if region is not None:
        query = query.where(PlacementRequest.current_municipality.in_(
            sa.select(Municipality.code).where(Municipality.region_code == region)))
    return query


def _hours(later, earlier):
    return (later - earlier).total_seconds() / 3600


def _median(values):
    return round(statistics.median(values), 2) if values else None


def _waits(in_scope, start, end):
    """Requests made in the period: how many reached each milestone, and the median hours from
    the request to it; those that reached none are still waiting or ended unplaced."""
    firsts = [sa.func.min(sa.case((RequestEvent.action == action, RequestEvent.at)))
              for action in MILESTONES.values()]
    rows = db.session.execute(
        sa.select(PlacementRequest.created_at, *firsts)
        .outerjoin(RequestEvent, RequestEvent.request_id == PlacementRequest.id)
        .where(PlacementRequest.id.in_(in_scope), PlacementRequest.created_at >= start,
               PlacementRequest.created_at < end)
        .group_by(PlacementRequest.id, PlacementRequest.created_at)
    ).all()
    view = {"requests": len(rows)}
    for index, name in enumerate(MILESTONES):
        hours = [_hours(row[index + 1], row[0]) for row in rows if row[index + 1] is not None]
        view[f"to_{name}"] = {"count": len(hours), "median_hours": _median(hours)}
    view["never_held"] = sum(1 for row in rows if row[1] is None)
    return view


def _declines(in_scope, start, end):
    rows = dict(db.session.execute(
        sa.select(Hold.decline_reason, sa.func.count())
        .where(Hold.status == "declined", Hold.request_id.in_(in_scope),
               Hold.decided_at >= start, Hold.decided_at < end)
        .group_by(Hold.decline_reason)
    ).all())
    by_reason = {reason: int(rows.get(reason, 0)) for reason in DECLINE_REASONS}
    return {"total": sum(by_reason.values()), "by_reason": by_reason}


def _events_in(action, in_scope, start, end):
    return (sa.select(RequestEvent.request_id)
            .where(RequestEvent.action == action, RequestEvent.request_id.in_(in_scope),
                   RequestEvent.at >= start, RequestEvent.at < end))


def _ended_without_placement(in_scope, start, end):
    """Requests ended in the period without anyone ever arriving; holds that expired and
    placements nobody arrived for, in the period."""
    arrived = sa.select(Placement.request_id).where(Placement.arrived_at.is_not(None))
    reasons = db.session.execute(
        sa.select(PlacementRequest.ended_reason, sa.func.count())
        .where(PlacementRequest.id.in_(_events_in("request.ended", in_scope, start, end)),
               PlacementRequest.id.not_in(arrived))
        .group_by(PlacementRequest.ended_reason)
    ).all()
    expired = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            _events_in("hold.expired", in_scope, start, end).subquery()))
    no_shows = db.session.scalar(
        sa.select(sa.func.count()).select_from(
            _events_in("placement.no_show", in_scope, start, end).subquery()))
    by_reason = {reason or "unknown": int(n) for reason, n in reasons}
    return {"requests": sum(by_reason.values()), "by_reason": by_reason,
            "holds_expired": int(expired), "no_shows": int(no_shows)}


def _unplaced(in_scope, start, end):
    """Requests the optimizer left unplaced in the period, by the rules that excluded them: a
    request counts once under each rule that excluded at least one shelter for it."""
    rows = db.session.execute(
        sa.select(Proposal.request_id, Proposal.explanation)
        .where(Proposal.shelter_id.is_(None), Proposal.request_id.in_(in_scope),
               Proposal.created_at >= start, Proposal.created_at < end)
    ).all()
    rules_of = {}
    for request_id, explanation in rows:
        # The rules with at least one shelter counted under them: every rule that excluded one.
        rules_of.setdefault(request_id, set()).update(
            entry["rule"] for entry in stored_by_rule(explanation))
    by_rule = {}
    for rules in rules_of.values():
        for rule in rules:
            by_rule[rule] = by_rule.get(rule, 0) + 1
    # Nothing but capacity (H1) stood in the way: the clearest case for more beds.
    capacity_only = sum(1 for rules in rules_of.values() if rules <= CAPACITY_ONLY)
    return {"proposals": len(rows), "requests": len(rules_of),
            "by_rule": dict(sorted(by_rule.items())), "capacity_only": capacity_only}


def _overrides(in_scope, start, end):
    # In Python, not SQL: a cleared override may be stored as JSON null rather than NULL.
    rows = [rules for rules in db.session.scalars(
        sa.select(PlacementRequest.override_rules)
        .join(Placement, Placement.request_id == PlacementRequest.id)
        .where(PlacementRequest.id.in_(in_scope), Placement.accepted_at >= start,
               Placement.accepted_at < end)
    ) if rules]
    by_rule = {}
    for rules in rows:
        for rule in rules:
            by_rule[rule] = by_rule.get(rule, 0) + 1
    return {"placements": len(rows), "by_rule": dict(sorted(by_rule.items()))}
