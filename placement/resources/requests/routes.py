"""Placement requests: create, follow, proposals, holds on beds, and coordinators' overrides."""


from placement.auth import current_user, requires
from placement.resources.common import Blueprint, View
from placement.resources.holds.schemas import HoldSchema
from placement.resources.idempotency import about_case, idempotent
from placement.resources.requests.schemas import (
    EventSchema,
    HoldCreateSchema,
    OverrideSchema,
    PlacementRequestCreateSchema,
    PlacementRequestQueryArgsSchema,
    PlacementRequestSchema,
    ProposalsQueryArgsSchema,
    ProposalsSchema,
)
from placement.resources.views import hold_view, request_view, request_views
from placement.services import audit, cases, holds, proposals, requests

blp = Blueprint("placement_requests", __name__, description="Placement requests and proposals.")
READERS = requests.READERS


@blp.route("/placement-requests")
class PlacementRequests(View):
    @requires(*READERS)
    @blp.arguments(PlacementRequestQueryArgsSchema, location="query")
    @blp.response(200, PlacementRequestSchema(many=True))
    def get(self, args):
        """List the requests in your scope, newest first."""
        user = current_user()
        rows, total = requests.list_requests(user, **args)
        found = request_views(rows, user)
        audit.record("request.list", detail=str(len(found)))
        return found, {"X-Total-Count": str(total)}

    @requires("case_manager")
    @idempotent
    @blp.arguments(PlacementRequestCreateSchema)
    @blp.response(201, PlacementRequestSchema)
    def post(self, body):
        """Ask for a placement for one of your cases."""
        user = current_user()
        case = cases.owned_case(user, body["case_id"], lock=True)
        request = requests.create_request(user, case, body["urgency"],
                                          body["current_municipality"])
        about_case(case.id)
        return request_view(request, user)


@blp.route("/placement-requests/<int:request_id>")
class PlacementRequestById(View):
    @requires(*READERS)
    @blp.response(200, PlacementRequestSchema)
    def get(self, request_id):
        """Read a request with its holds, placement and latest proposal."""
        user = current_user()
        view = request_view(requests.visible_request(user, request_id), user)
        audit.record("request.read", "placement_request", request_id)
        return view


@blp.route("/placement-requests/<int:request_id>/events")
class PlacementRequestEvents(View):
    # Not shelter managers: the trail says where else the person was held and placed.
    @requires("case_manager", "regional_coordinator", "national_coordinator")
    @blp.response(200, EventSchema(many=True))
    def get(self, request_id):
        """Every change of the request, its holds and placement, oldest first."""
        events = requests.events_of(requests.visible_request(current_user(), request_id))
        audit.record("request.events", "placement_request", request_id)
        return events


@blp.route("/placement-requests/<int:request_id>/proposals")
class PlacementRequestProposals(View):
    @requires("case_manager", "regional_coordinator", "national_coordinator")
    @blp.arguments(ProposalsQueryArgsSchema, location="query")
    @blp.response(200, ProposalsSchema)
    def get(self, args, request_id):
        """Ranked safe options on the current beds, and why every other shelter is ruled out:
        counted by rule, and listed a page at a time (excluded_limit, excluded_offset)."""
        request = requests.visible_request(current_user(), request_id)
        answer = proposals.proposals_for(request, **args)
        audit.record("request.proposals", "placement_request", request_id)
        return answer


@blp.route("/placement-requests/<int:request_id>/holds")
class PlacementRequestHolds(View):
    @requires(*holds.HOLDERS)
    @idempotent
    @blp.arguments(HoldCreateSchema)
    @blp.response(201, HoldSchema)
    def post(self, body, request_id):
        """Hold beds at a shelter for everyone in the request (at most two holds at once)."""
        user = current_user()
        request = requests.visible_request(user, request_id)
        hold = holds.create_hold(user, request, body["shelter_id"], body.get("room_id"))
        about_case(request.case_id)
        return hold_view(hold)


@blp.route("/placement-requests/<int:request_id>/override")
class PlacementRequestOverride(View):
    @requires("regional_coordinator", "national_coordinator")
    @blp.arguments(OverrideSchema)
    @blp.response(200, PlacementRequestSchema)
    def post(self, body, request_id):
        """Lift hard rules for this one request, with a written justification (coordinators)."""
        user = current_user()
        request = requests.visible_request(user, request_id, lock=True)
        requests.set_override(user, request, body["rules"], body["justification"])
        return request_view(request, user)
