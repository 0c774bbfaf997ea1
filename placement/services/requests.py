"""Placement requests: who may see them, their status, and the trail of events behind them."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from optimizer.registry import OVERRIDABLE
from placement import clock
from placement.crypto import open_sealed, seal
from placement.errors import Conflict, Forbidden, NotFound, RuleViolation
from placement.extensions import db
from placement.models import (
    Case,
    Hold,
    Municipality,
    Placement,
    PlacementRequest,
    RequestEvent,
    user_shelters,
)
from placement.services import audit, quotas
from placement.services.paging import page

LIVE = ("open", "held", "accepted", "placed")
JUSTIFICATION_PURPOSE = "request.override_justification"
READERS = ("case_manager", "shelter_manager", "regional_coordinator", "national_coordinator")


def record_event(request, action, actor, from_status=None, hold=None, placement=None,
                 detail=None):
    """One row in the request's trail, and one in the audit log (ids and states only)."""
    audit.record(action, "placement_request", request.id, actor=actor,
                 detail=f"{from_status or '-'}>{request.status}")
    db.session.add(
        RequestEvent(
            request_id=request.id,
            at=clock.now(),
            actor_id=actor.id if actor else None,
            action=action,
            from_status=from_status,
            to_status=request.status,
            hold_id=hold.id if hold else None,
            placement_id=placement.id if placement else None,
            detail=detail,
        )
    )


def move(request, to_status, action, actor, **event):
    """Change a request's status and write the event that says so."""
    from_status = request.status
    request.status = to_status
    request.updated_at = clock.now()
    record_event(request, action, actor, from_status=from_status, **event)


def request_filter(user):
    """WHERE clause of the requests `user` may see; admins read no case data."""
    if user.role == "case_manager":
        return PlacementRequest.case_id.in_(
            sa.select(Case.id).where(Case.organisation_id == user.organisation_id)
        )
    if user.role == "national_coordinator":
        return sa.true()
    if user.role == "regional_coordinator":
        return PlacementRequest.current_municipality.in_(
            sa.select(Municipality.code).where(Municipality.region_code == user.region_code)
        )
    if user.role == "shelter_manager":
        mine = sa.select(user_shelters.c.shelter_id).where(user_shelters.c.user_id == user.id)
        # Only while their shelter holds or houses the person: a shelter that declined, let a
        # hold expire or was passed over learns nothing of where the person went.
        return PlacementRequest.id.in_(
            sa.select(Hold.request_id).where(Hold.shelter_id.in_(mine),
                                             Hold.status.in_(("active", "accepted")))
        )
    return sa.false()


def visible_request(user, request_id, lock=False):
    if user.role not in READERS:
        raise Forbidden("administrators do not read case data")
    query = sa.select(PlacementRequest).where(
        PlacementRequest.id == request_id, request_filter(user)
    )
    if lock:
        query = query.with_for_update()
    else:  # every reader reads its case next: in the same statement, not a second one
        query = query.options(sa.orm.joinedload(PlacementRequest.case))
    request = db.session.scalar(query)
    if request is None:
        raise NotFound(f"no placement request {request_id}")
    return request


def scoped_claim(user, model, object_id, roles, noun):
    """A hold or placement the caller may see (404 otherwise: a shelter manager sees those at
    their shelters, others those of requests they see) and act on with `roles` (403)."""
    claim = db.session.get(model, object_id)
    if claim is None or not _sees_claim(user, claim):
        raise NotFound(f"no {noun} {object_id}")
    if user.role not in roles:
        raise Forbidden(f"the role {user.role} may not do this to a {noun}")
    return claim


def _sees_claim(user, claim):
    if user.role == "shelter_manager":
        return claim.shelter_id in {s.id for s in user.shelters}
    return db.session.scalar(
        sa.select(PlacementRequest.id).where(
            PlacementRequest.id == claim.request_id, request_filter(user)
        )
    ) is not None


def list_requests(user, limit, offset, status=None, case_id=None):
    """A page of the requests in the caller's scope, newest first, and how many there are."""
    if user.role not in READERS:
        raise Forbidden("administrators do not read case data")
    query = sa.select(PlacementRequest).where(request_filter(user))
    if status:
        query = query.where(PlacementRequest.status == status)
    if case_id:
        query = query.where(PlacementRequest.case_id == case_id)
    query = query.options(selectinload(PlacementRequest.case), selectinload(PlacementRequest.holds))
    return page(query.order_by(PlacementRequest.id.desc()), limit, offset)


def newest_by_request(model, request_ids, *options):
    """{request id: its newest `model` row (Placement, Proposal)}, one query for any number."""
    if not request_ids:
        return {}
    newest = (sa.select(sa.func.max(model.id)).where(model.request_id.in_(request_ids))
              .group_by(model.request_id))
    rows = db.session.scalars(sa.select(model).where(model.id.in_(newest)).options(*options))
    return {row.request_id: row for row in rows}


def create_request(user, case, urgency, municipality, transferred_from=None):
    if case.status != "open":
        raise Conflict(f"case {case.code} is closed", {"status": case.status})
    if db.session.get(Municipality, municipality) is None:
        raise RuleViolation(f"current_municipality: {municipality!r} is not a municipality",
                            {"current_municipality": ["unknown municipality"]})
    live = db.session.scalar(
        sa.select(PlacementRequest.id).where(
            PlacementRequest.case_id == case.id,
            PlacementRequest.status.in_(("open", "held", "accepted")),
        )
    )
    if live:
        raise Conflict(f"case {case.code} already has placement request {live} in progress",
                       {"request": live})
    placed = db.session.scalar(
        sa.select(PlacementRequest.id).where(
            PlacementRequest.case_id == case.id, PlacementRequest.status == "placed"
        )
    )
    if placed and transferred_from is None:
        # A second request would end in a second bed while the first is still occupied.
        raise Conflict(f"case {case.code} is placed under request {placed}; ask for a transfer"
                       " of that placement instead", {"request": placed})
    quotas.check_request(user)
    moment = clock.now()
    request = PlacementRequest(
        case_id=case.id, created_by_id=user.id, urgency=urgency,
        current_municipality=municipality, status="open", created_at=moment, updated_at=moment,
        transferred_from_id=transferred_from.id if transferred_from else None,
    )
    db.session.add(request)
    db.session.flush()
    _check_writer_reads(user, request)
    record_event(request, "request.created", user, detail={"urgency": urgency})
    return request


def _check_writer_reads(user, request):
    """A request is written only where its writer can read it: a regional coordinator's
    transfer stays in their region (otherwise they would make a request they cannot see)."""
    readable = db.session.scalar(
        sa.select(PlacementRequest.id).where(PlacementRequest.id == request.id,
                                             request_filter(user))
    )
    if readable is None:
        raise RuleViolation(
            f"current_municipality: {request.current_municipality!r} is outside your scope",
            {"current_municipality": ["outside your scope"]})


def set_override(user, request, rules, justification):
    """A coordinator lifts some hard rules for this one request, in writing."""
    if user.role not in ("regional_coordinator", "national_coordinator"):
        raise Forbidden("only coordinators may override a rule")
    bad = sorted(set(rules) - set(OVERRIDABLE))
    if bad:
        raise RuleViolation(f"rules: {', '.join(bad)} cannot be overridden;"
                            f" overridable are {', '.join(OVERRIDABLE)}")
    if request.status not in ("open", "held"):
        raise Conflict(f"request {request.id} is {request.status}", {"status": request.status})
    request.override_rules = sorted(set(rules)) or None
    request.override_justification_sealed = (
        seal(justification, JUSTIFICATION_PURPOSE) if rules else None
    )
    request.override_by_id = user.id if rules else None
    record_event(request, "request.override", user, from_status=request.status,
                 detail={"rules": request.override_rules})
    return request


def override_justification(request):
    sealed = request.override_justification_sealed
    return open_sealed(sealed, JUSTIFICATION_PURPOSE) if sealed else None


def live_placement(request):
    return db.session.scalar(
        sa.select(Placement).where(
            Placement.request_id == request.id, Placement.status.in_(("accepted", "placed"))
        )
    )


def events_of(request):
    return list(db.session.scalars(
        sa.select(RequestEvent).where(RequestEvent.request_id == request.id)
        .order_by(RequestEvent.id)
    ))
