"""Holds on beds: create from a ranked option, accept, decline, cancel, expire.

Lock order everywhere: placement request, then shelter (several: in id order), then beds
(capacity.lock_shelter), so no two writers deadlock; beds move only through capacity.move_beds,
the guarded UPDATE.
"""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from optimizer.registry import CAPACITY_ONLY, shelter_reasons, shelter_verdict
from placement import clock
from placement.crypto import open_sealed, seal
from placement.errors import Conflict, Forbidden, RuleViolation
from placement.extensions import db
from placement.models import Bed, Case, Hold, Placement, PlacementRequest, user_shelters
from placement.services import access, capacity, notifications, policy, quotas
from placement.services.instances import ranking_instance
from placement.services.paging import page
from placement.services.requests import move, record_event, request_filter, scoped_claim

MAX_PARALLEL_HOLDS = 2
DECLINE_NOTE_PURPOSE = "hold.decline_note"
HOLDERS = ("case_manager", "regional_coordinator", "national_coordinator")


def _state_conflict(what, state, expected):
    return Conflict(f"{what} is {state}; this needs it {expected}", {"state": state})


def decline_note(hold):
    sealed = hold.decline_note_sealed
    return open_sealed(sealed, DECLINE_NOTE_PURPOSE) if sealed else None


def hold_for(user, hold_id, roles):
    return scoped_claim(user, Hold, hold_id, roles, "hold")


def list_holds(user, limit, offset, status=None):
    """A page of the holds in the caller's scope, newest first, and how many there are."""
    query = sa.select(Hold).order_by(Hold.id.desc())
    if user.role == "shelter_manager":
        mine = sa.select(user_shelters.c.shelter_id).where(user_shelters.c.user_id == user.id)
        query = query.where(Hold.shelter_id.in_(mine))
    elif user.role in ("case_manager", "regional_coordinator", "national_coordinator"):
        query = query.where(
            Hold.request_id.in_(sa.select(PlacementRequest.id).where(request_filter(user)))
        )
    else:
        raise Forbidden("administrators do not read case data")
    if status:
        query = query.where(Hold.status == status)
    # Everything a hold's view reads, loaded for the whole page at once (no query per hold).
    query = query.options(
        selectinload(Hold.request).selectinload(PlacementRequest.case)
        .selectinload(Case.organisation),
        selectinload(Hold.shelter), selectinload(Hold.room))
    return page(query, limit, offset)


def lock_request(request):
    db.session.execute(
        sa.select(PlacementRequest.id).where(PlacementRequest.id == request.id).with_for_update()
    )
    db.session.refresh(request)


def create_hold(user, request, shelter_id, room_id=None):
    """Hold beds for every person of the request in one room of the shelter, for the policy's
    hold TTL (HOLD_TTL when none is stored)."""
    lock_request(request)
    if request.status not in ("open", "held"):
        raise _state_conflict(f"request {request.id}", request.status, "open or held")
    # A hold past its time no longer counts, though the expiry job may not have freed it yet.
    moment = clock.now()
    active = [h for h in request.holds if h.status == "active" and h.expires_at > moment]
    if len(active) >= MAX_PARALLEL_HOLDS:
        raise Conflict(f"request {request.id} already has {len(active)} holds; at most"
                       f" {MAX_PARALLEL_HOLDS} at once", {"holds": [h.id for h in active]})
    if any(h.shelter_id == shelter_id for h in active):
        raise Conflict(f"request {request.id} already holds beds at shelter {shelter_id}")
    # Out of the caller's scope reads as absent, here as on GET /shelters/<id>.
    if not access.sees_shelter(user, shelter_id):
        raise RuleViolation(f"shelter_id: no shelter {shelter_id}",
                            {"shelter_id": ["no such shelter"]})
    capacity.lock_shelter(shelter_id)
    quotas.check_hold(user)
    chosen_room = _choose_option(request, shelter_id, room_id)
    persons = len(request.case.persons)
    bed_ids = list(db.session.scalars(
        sa.select(Bed.id).where(Bed.room_id == chosen_room, Bed.status == "available",
                                Bed.removed_at.is_(None)).order_by(Bed.code).limit(persons)
    ))
    if len(bed_ids) < persons:
        raise Conflict(f"room {chosen_room} has {len(bed_ids)} free beds; {persons} needed")
    moment = clock.now()
    hold = Hold(request_id=request.id, shelter_id=shelter_id, room_id=chosen_room,
                status="active", created_by_id=user.id, created_at=moment,
                expires_at=moment + policy.hold_ttl())
    db.session.add(hold)
    db.session.flush()
    capacity.move_beds(bed_ids, ("available",), "held", f"hold {hold.id}", user, hold_id=hold.id)
    capacity.touch_shelter(shelter_id, confirmed=False)
    detail = {"shelter": shelter_id, "room": chosen_room, "beds": len(bed_ids)}
    if request.override_rules:
        detail["override"] = request.override_rules
    move(request, "held", "hold.created", user, hold=hold, detail=detail)
    notifications.notify_shelter_managers(shelter_id, "hold.created", _payload(hold))
    return hold


def _payload(hold, **extra):
    return {"hold_id": hold.id, "request_id": hold.request_id, "shelter_id": hold.shelter_id,
            "status": hold.status, "expires_at": hold.expires_at, **extra}


def _tell_case_managers(hold, kind, **extra):
    notifications.notify_organisation(hold.request.case.organisation_id, kind,
                                      _payload(hold, **extra))


def _choose_option(request, shelter_id, room_id):
    """The best feasible room at this shelter (or the one asked for), or why there is none.

    Only this shelter is judged: its rooms come in the order the ranking gives them (within one
    shelter, the rank keeps the verdict's room order), its rules as the ranking states them."""
    instance = ranking_instance(request)
    if shelter_id in instance.shelter_index:
        rooms, reasons = shelter_verdict(instance.policy, instance.request(request.id),
                                         instance.shelter(shelter_id))
    else:
        rooms, reasons = [], {}
    here = [room.id for room in rooms]
    chosen = [room for room in here if room_id is None or room == room_id]
    if chosen:
        return chosen[0]
    if here:
        raise RuleViolation(
            f"room_id: room {room_id} cannot take this request;"
            f" rooms that can: {', '.join(str(room) for room in here)}",
            {"room_id": ["not an option"]},
        )
    rules = list(reasons)
    message = f"shelter {shelter_id} cannot take this request: " + "; ".join(reasons.values())
    if set(rules) <= CAPACITY_ONLY:
        raise Conflict(message, {"rules": rules})
    raise RuleViolation(message, {"rules": rules})


def release_beds(hold, actor, reason):
    capacity.lock_shelter(hold.shelter_id)
    bed_ids = list(db.session.scalars(sa.select(Bed.id).where(Bed.hold_id == hold.id)))
    if bed_ids:
        capacity.move_beds(bed_ids, ("held",), "available", reason, actor, hold_id=None)
        capacity.touch_shelter(hold.shelter_id, confirmed=False)


def _close_hold(hold, status, actor):
    hold.status = status
    hold.decided_at = clock.now()
    hold.decided_by_id = actor.id if actor else None
    release_beds(hold, actor, f"hold {hold.id} {status}")
    db.session.flush()


def _end_hold(hold, status, actor, action, **detail):
    """Move an active hold to `status`, free its beds, and put the request back in the queue."""
    request = hold.request
    _close_hold(hold, status, actor)
    still_active = [h for h in request.holds if h.status == "active"]
    if request.status == "held" and not still_active:
        move(request, "open", action, actor, hold=hold, detail=detail or None)
    else:
        record_event(request, action, actor, from_status=request.status, hold=hold,
                     detail=detail or None)


def _locked_active(hold, what="hold"):
    lock_request(hold.request)
    db.session.refresh(hold)
    if hold.status != "active":
        raise _state_conflict(f"{what} {hold.id}", hold.status, "active")


def accept_hold(user, hold):
    """The shelter takes the request: other holds are released in the same transaction."""
    _locked_active(hold)
    if hold.expires_at <= clock.now():
        raise Conflict(f"hold {hold.id} expired at {hold.expires_at:%Y-%m-%d %H:%M} UTC",
                       {"state": "expired"})
    request = hold.request
    # Every shelter this acceptance touches (its own, and those of the holds it releases), in
    # id order: two acceptances of crossed holds would otherwise wait on each other.
    capacity.lock_shelters(h.shelter_id for h in request.holds if h.status == "active")
    _check_case_still_fits(hold)
    hold.status = "accepted"
    hold.decided_at = clock.now()
    hold.decided_by_id = user.id
    for other in request.holds:
        if other.id != hold.id and other.status == "active":
            _close_hold(other, "released", user)
            record_event(request, "hold.released", user, from_status=request.status,
                         hold=other, detail={"accepted_hold": hold.id})
    placement = Placement(request_id=request.id, hold_id=hold.id, shelter_id=hold.shelter_id,
                          room_id=hold.room_id, status="accepted", accepted_at=hold.decided_at)
    db.session.add(placement)
    db.session.flush()
    move(request, "accepted", "hold.accepted", user, hold=hold, placement=placement)
    _tell_case_managers(hold, "hold.accepted", placement_id=placement.id)
    return hold


def _check_case_still_fits(hold):
    """H3, H4, H6, H7 and H8 on the case as it is now, overrides applied: a suspect, a risk
    level or a case to keep apart from may have been recorded since the beds were held."""
    instance = ranking_instance(hold.request)
    reasons = shelter_reasons(instance.policy, instance.request(hold.request_id),
                              instance.shelter(hold.shelter_id))
    if reasons:
        raise RuleViolation(f"hold {hold.id} no longer fits the case: " + "; ".join(
            reasons.values())
            + "; decline it, or ask a coordinator for an override",
            {"rules": list(reasons)})


def decline_hold(user, hold, reason, note=None):
    _locked_active(hold)
    hold.decline_reason = reason
    hold.decline_note_sealed = seal(note, DECLINE_NOTE_PURPOSE) if note else None
    _end_hold(hold, "declined", user, "hold.declined", reason=reason)
    _tell_case_managers(hold, "hold.declined", reason_code=reason)
    return hold


def cancel_hold(user, hold):
    """The case manager withdraws: an active hold, or an accepted one before arrival."""
    lock_request(hold.request)
    db.session.refresh(hold)
    if hold.status == "active":
        _end_hold(hold, "cancelled", user, "hold.cancelled")
        notifications.notify_shelter_managers(hold.shelter_id, "hold.cancelled", _payload(hold))
        return hold
    placement = db.session.scalar(sa.select(Placement).where(Placement.hold_id == hold.id))
    if hold.status != "accepted" or placement is None or placement.status != "accepted":
        raise _state_conflict(f"hold {hold.id}", hold.status, "active, or accepted before arrival")
    placement.status = "cancelled"
    placement.ended_at = clock.now()
    hold.status = "cancelled"
    release_beds(hold, user, f"hold {hold.id} cancelled")
    move(hold.request, "open", "hold.cancelled", user, hold=hold, placement=placement)
    notifications.notify_shelter_managers(hold.shelter_id, "hold.cancelled", _payload(hold))
    return hold


def release_expired_holds():
    """Expire every active hold past its time; returns the holds expired."""
    due = list(db.session.scalars(
        sa.select(Hold).where(Hold.status == "active", Hold.expires_at <= clock.now())
        .order_by(Hold.id)
    ))
    expired = []
    for hold in due:
        lock_request(hold.request)
        db.session.refresh(hold)
        if hold.status == "active":
            _end_hold(hold, "expired", None, "hold.expired")
            _tell_case_managers(hold, "hold.expired")
            notifications.notify_shelter_managers(hold.shelter_id, "hold.expired",
                                                  _payload(hold))
            expired.append(hold)
    return expired
