"""Dicts for requests, holds and placements as the API shows them: profiles, ids, no secrets."""

from sqlalchemy.orm import selectinload

from placement.models import Placement, Proposal
from placement.services import holds
from placement.services import requests as request_service


def _override(request):
    if not request.override_rules:
        return None
    return {"rules": request.override_rules,
            "justification": request_service.override_justification(request),
            "by": request.override_by_id}


def request_view(request, viewer):
    """The request as `viewer` may see it (see request_views)."""
    return request_views([request], viewer)[0]


def request_views(requests, viewer):
    """The requests as `viewer` may see them, in the same number of queries for one or a page.

    A shelter manager sees the people's profiles and what concerns their own shelters: no case
    code, no other shelter's holds, and no optimizer explanation (its H6 sentences would tell
    where the suspects are)."""
    ids = [r.id for r in requests]
    # The newest placement: a live one, if any, is always the newest (one live at a time).
    placements = request_service.newest_by_request(Placement, ids, selectinload(Placement.shelter))
    proposals = request_service.newest_by_request(Proposal, ids)
    return [_request_view(r, viewer, placements.get(r.id), proposals.get(r.id))
            for r in requests]


def _request_view(request, viewer, placement, proposal):
    case = request.case
    view = {
        "id": request.id,
        "case_id": case.id,
        "case_code": case.code,
        "status": request.status,
        "urgency": request.urgency,
        "current_municipality": request.current_municipality,
        "category": case.category,
        "risk": case.risk,
        "persons": case.persons,
        "created_at": request.created_at,
        "updated_at": request.updated_at,
        "transferred_from": request.transferred_from_id,
        "override": _override(request),
        "holds": [
            {"id": h.id, "shelter_id": h.shelter_id, "room_id": h.room_id, "status": h.status,
             "expires_at": h.expires_at}
            for h in request.holds
        ],
        "placement": placement_view(placement) if placement else None,
        "latest_proposal": None if proposal is None else {
            "run_id": proposal.run_id, "shelter_id": proposal.shelter_id,
            "room_id": proposal.room_id, "hold_id": proposal.hold_id,
            "explanation": proposal.explanation, "created_at": proposal.created_at,
        },
        "ended_reason": request.ended_reason,
    }
    if viewer.role == "shelter_manager":
        _narrow_for_shelter(view, {s.id for s in viewer.shelters})
    return view


def _narrow_for_shelter(view, mine):
    view.pop("case_code")
    view["latest_proposal"] = None
    view["holds"] = [h for h in view["holds"] if h["shelter_id"] in mine]
    if view["placement"] and view["placement"]["shelter"]["id"] not in mine:
        view["placement"] = None


def hold_view(hold):
    """What a shelter manager needs to decide: the people's profiles and needs, no case code,
    and who asks: the case's organisation (never the person who asked)."""
    request, case = hold.request, hold.request.case
    return {
        "id": hold.id,
        "request_id": request.id,
        "organisation": {"code": case.organisation.code, "name": case.organisation.name},
        "shelter": {"id": hold.shelter.id, "name": hold.shelter.name},
        "room": {"id": hold.room.id, "code": hold.room.code, "kind": hold.room.kind},
        "status": hold.status,
        "created_at": hold.created_at,
        "expires_at": hold.expires_at,
        "decided_at": hold.decided_at,
        "decline_reason": hold.decline_reason,
        "decline_note": holds.decline_note(hold),
        "category": case.category,
        "risk": case.risk,
        "urgency": request.urgency,
        "persons": case.persons,
        "override": _override(request),
    }


def placement_view(placement):
    return {
        "id": placement.id,
        "request_id": placement.request_id,
        "hold_id": placement.hold_id,
        "shelter": {"id": placement.shelter.id, "name": placement.shelter.name},
        "room_id": placement.room_id,
        "status": placement.status,
        "accepted_at": placement.accepted_at,
        "arrived_at": placement.arrived_at,
        "ended_at": placement.ended_at,
        "end_reason": placement.end_reason,
        "planned_departure": placement.planned_departure and placement.planned_departure.date(),
        "override": _override(placement.request),
    }
