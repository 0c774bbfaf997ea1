"""Placements: arrival, no-show, discharge, transfer; and closing a case with all it holds."""

from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from placement import clock
from placement.errors import Conflict, RuleViolation
from placement.extensions import db
from placement.models import Bed, Placement, PlacementRequest, user_shelters
from placement.services import audit, capacity, cases
from placement.services.holds import _state_conflict, cancel_hold, lock_request, release_beds
from placement.services.requests import create_request, live_placement, move, scoped_claim

ARRIVAL_ROLES = ("shelter_manager",)
# Who may plan a stay's end (reminders follow it): the shelter and the case's case manager.
PLANNING_ROLES = ("shelter_manager", "case_manager")
TRANSFER_ROLES = ("case_manager", "regional_coordinator", "national_coordinator")


def placement_for(user, placement_id, roles):
    return scoped_claim(user, Placement, placement_id, roles, "placement")


def _locked(placement, expected):
    """Lock what the change touches, requests first then shelters, each kind in id order: an
    arrival that ends a transfer also ends the old placement, its request and its beds."""
    claims = [placement]
    previous_id = placement.request.transferred_from_id
    if expected == "accepted" and previous_id:
        claims.append(db.session.get(Placement, previous_id))
    for claim in sorted(claims, key=lambda c: c.request_id):
        lock_request(claim.request)
    for claim in claims:
        db.session.refresh(claim)
    if placement.status != expected:
        raise _state_conflict(f"placement {placement.id}", placement.status, expected)
    capacity.lock_shelters(c.shelter_id for c in claims)


def arrive(user, placement):
    """The person arrives: held beds become occupied, each with one person's profile."""
    _locked(placement, "accepted")
    persons = placement.request.case.persons
    bed_ids = list(db.session.scalars(
        sa.select(Bed.id).where(Bed.hold_id == placement.hold_id).order_by(Bed.code)
    ))
    if len(bed_ids) != len(persons):
        raise Conflict(f"placement {placement.id} holds {len(bed_ids)} beds for"
                       f" {len(persons)} persons")
    group = f"placement-{placement.id}"
    occupants = [{"gender": p["gender"], "age": p["age"], "group": group} for p in persons]
    capacity.move_beds(bed_ids, ("held",), "occupied", f"placement {placement.id} arrived", user,
                       occupants=occupants, hold_id=None, placement_id=placement.id)
    capacity.touch_shelter(placement.shelter_id, confirmed=True)
    placement.status = "placed"
    placement.arrived_at = clock.now()
    request = placement.request
    move(request, "placed", "placement.arrived", user, placement=placement)
    if request.transferred_from_id:
        _finish_transfer(user, db.session.get(Placement, request.transferred_from_id))
    return placement


def plan_departure(user, placement, day):
    """Set (or with None clear) the date the stay is planned to end; not a day already past."""
    if placement.status not in ("accepted", "placed"):
        raise _state_conflict(f"placement {placement.id}", placement.status, "placed")
    if day is not None and day < clock.now().date():
        raise RuleViolation("planned_departure: a date already past",
                            {"json": {"planned_departure": ["a date already past"]}})
    placement.planned_departure = None if day is None else datetime.combine(day, time())
    audit.record("placement.planned_departure", "placement", placement.id, actor=user,
                 detail="cleared" if day is None else day.isoformat())
    return placement


def _finish_transfer(user, previous):
    if previous is None or previous.status != "placed":
        return
    capacity.lock_shelter(previous.shelter_id)
    _vacate(previous, user, "transferred")
    move(previous.request, "ended", "placement.transferred", user, placement=previous)


def _vacate(placement, actor, status, reason=None):
    bed_ids = list(db.session.scalars(
        sa.select(Bed.id).where(Bed.placement_id == placement.id)
    ))
    capacity.move_beds(bed_ids, ("occupied",), "available", f"placement {placement.id} {status}",
                       actor, placement_id=None)
    capacity.touch_shelter(placement.shelter_id, confirmed=True)
    placement.status = status
    placement.ended_at = clock.now()
    placement.end_reason = reason or status


def no_show(user, placement):
    """Nobody came: the beds go back and the request returns to the queue."""
    _locked(placement, "accepted")
    release_beds(placement.hold, user, f"placement {placement.id} no-show")
    placement.status = "no_show"
    placement.ended_at = clock.now()
    move(placement.request, "open", "placement.no_show", user, placement=placement)
    return placement


def discharge(user, placement, reason):
    _locked(placement, "placed")
    _vacate(placement, user, "discharged", reason)
    request = placement.request
    request.ended_reason = f"discharged: {reason}"
    move(request, "ended", "placement.discharged", user, placement=placement,
         detail={"reason": reason})
    return placement


def transfer(user, placement, urgency, municipality):
    """A new request, linked to this placement; the person keeps this bed until they arrive."""
    _locked(placement, "placed")
    request = create_request(user, placement.request.case, urgency,
                             municipality or placement.request.current_municipality,
                             transferred_from=placement)
    return request


def close_case(user, case, reason):
    """Close a case: open requests end, holds are cancelled; a person still placed blocks it."""
    if case.status != "open":
        raise _state_conflict(f"case {case.code}", case.status, "open")
    requests = list(db.session.scalars(
        sa.select(PlacementRequest).where(
            PlacementRequest.case_id == case.id, PlacementRequest.status != "ended"
        ).order_by(PlacementRequest.id)
    ))
    if any(r.status == "placed" for r in requests):
        raise Conflict(f"case {case.code} has a person placed; discharge them first",
                       {"state": "placed"})
    # The usual order, requests then shelters, taken all at once for everything this touches.
    for request in requests:
        lock_request(request)
    capacity.lock_shelters(h.shelter_id for r in requests for h in r.holds
                           if h.status in ("active", "accepted"))
    for request in requests:
        for hold in list(request.holds):
            if hold.status == "active":
                cancel_hold(user, hold)
        # Not every `accepted` hold: one whose placement ended in a no-show stays accepted.
        awaiting_arrival = live_placement(request)
        if awaiting_arrival is not None:
            cancel_hold(user, awaiting_arrival.hold)
        db.session.refresh(request)
        request.ended_reason = "case closed"
        move(request, "ended", "request.ended", user, detail={"reason": "case closed"})
    cases.mark_closed(case, reason)
    return case


def list_at_my_shelters(user, statuses):
    """The placements at the shelter manager's shelters in `statuses`, oldest first."""
    mine = sa.select(user_shelters.c.shelter_id).where(user_shelters.c.user_id == user.id)
    return list(db.session.scalars(
        sa.select(Placement).where(Placement.shelter_id.in_(mine),
                                   Placement.status.in_(statuses)).order_by(Placement.id)
        # What the manager's page shows of each, for all of them at once.
        .options(selectinload(Placement.request).selectinload(PlacementRequest.case),
                 selectinload(Placement.shelter), selectinload(Placement.room))
    ))


def transfer_for(placement):
    """The live request that moves this placement's persons elsewhere, if one was started."""
    return db.session.scalar(
        sa.select(PlacementRequest).where(PlacementRequest.transferred_from_id == placement.id,
                                          PlacementRequest.status != "ended")
    )
