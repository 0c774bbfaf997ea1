"""Purging closed cases once the retention period after closing has passed.

A purged case leaves nothing that describes or points at it: its profiles, risk history, requests
(with their free text), holds, placements, events, proposals, reminders, kept answers and the
notifications that named it are deleted. What the unmet-need figures need survives as NeedCount
rows (month, place, category, urgency, outcome), which name no case. Audit rows stay untouched:
the log is hash-chained and must still verify; they carry ids and action codes, never case data.
"""

import sqlalchemy as sa

from placement import clock
from placement.extensions import db
from placement.models import (
    Case,
    Hold,
    IdempotencyKey,
    NeedCount,
    Notification,
    NotificationDelivery,
    Placement,
    PlacementRequest,
    Proposal,
    RequestEvent,
    RiskAssessment,
    StayReminder,
)
from placement.services import audit
from placement.services.lifecycle_policy import lifecycle_policy


def purge_closed_cases():
    """Purge every case closed longer ago than the retention period; returns how many."""
    cutoff = clock.now() - lifecycle_policy().retention
    due = list(db.session.scalars(
        sa.select(Case).where(Case.status == "closed", Case.closed_at <= cutoff).order_by(Case.id)
    ))
    for case in due:
        _purge(case)
    return len(due)


def _purge(case):
    requests = list(db.session.scalars(
        sa.select(PlacementRequest).where(PlacementRequest.case_id == case.id)
    ))
    request_ids = [r.id for r in requests]
    holds = list(db.session.scalars(sa.select(Hold).where(Hold.request_id.in_(request_ids))))
    placements = list(db.session.scalars(
        sa.select(Placement).where(Placement.request_id.in_(request_ids))
    ))
    _count_needs(case, requests, holds, placements)
    hold_ids = [h.id for h in holds]
    placement_ids = [p.id for p in placements]
    _forget_notifications(case.code, request_ids, hold_ids, placement_ids)
    # Children first: every row below points at the one after it.
    _delete(StayReminder, StayReminder.placement_id.in_(placement_ids))
    _delete(RequestEvent, RequestEvent.request_id.in_(request_ids))
    _delete(Proposal, Proposal.request_id.in_(request_ids))
    db.session.execute(sa.update(PlacementRequest).where(PlacementRequest.id.in_(request_ids))
                       .values(transferred_from_id=None))
    _delete(Placement, Placement.id.in_(placement_ids))
    _delete(Hold, Hold.id.in_(hold_ids))
    _delete(PlacementRequest, PlacementRequest.id.in_(request_ids))
    _delete(RiskAssessment, RiskAssessment.case_id == case.id)
    _delete(IdempotencyKey, IdempotencyKey.case_id == case.id)
    case_id = case.id
    _delete(Case, Case.id == case_id)
    audit.record("case.purge", "case", case_id)


def _delete(model, condition):
    db.session.execute(sa.delete(model).where(condition))


def _count_needs(case, requests, holds, placements):
    """Add this case's requests to the anonymous counts: placed or not, and each decline,
    expired hold and no-show (what the unmet-need figures count)."""
    outcomes = []
    for request in requests:
        key = (request.created_at.strftime("%Y-%m"), request.current_municipality,
               case.category, request.urgency)
        stays = [p for p in placements if p.request_id == request.id]
        arrived = any(p.arrived_at is not None for p in stays)
        outcomes.append((*key, "placed" if arrived else "not_placed"))
        for hold in (h for h in holds if h.request_id == request.id):
            if hold.status == "declined":
                outcomes.append((*key, f"declined:{hold.decline_reason}"))
            elif hold.status == "expired":
                outcomes.append((*key, "hold_expired"))
        outcomes += [(*key, "no_show") for p in stays if p.status == "no_show"]
    for month, municipality, category, urgency, outcome in outcomes:
        row = db.session.scalar(sa.select(NeedCount).where(
            NeedCount.month == month, NeedCount.municipality == municipality,
            NeedCount.category == category, NeedCount.urgency == urgency,
            NeedCount.outcome == outcome))
        if row is None:
            row = NeedCount(month=month, municipality=municipality, category=category,
                            urgency=urgency, outcome=outcome, count=0)
            db.session.add(row)
        row.count += 1
    db.session.flush()


def _forget_notifications(code, request_ids, hold_ids, placement_ids):
    """Notifications whose payload names the case or one of its requests, holds or stays."""
    named = {"case_code": {code}, "request_id": set(request_ids), "hold_id": set(hold_ids),
             "placement_id": set(placement_ids)}
    about_cases = sa.select(Notification).where(Notification.kind.not_like("shelter.%"))
    doomed = [n.id for n in db.session.scalars(about_cases)
              if any((n.payload or {}).get(key) in values for key, values in named.items())]
    _delete(NotificationDelivery, NotificationDelivery.notification_id.in_(doomed))
    _delete(Notification, Notification.id.in_(doomed))
