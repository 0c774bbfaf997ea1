"""Placements: arrival, no-show, discharge, transfer."""


from placement.auth import current_user, requires
from placement.resources.common import Blueprint, View
from placement.resources.idempotency import about_case, idempotent
from placement.resources.placements.schemas import (
    ArrivalSchema,
    DischargeSchema,
    PlacementSchema,
    PlanSchema,
    TransferSchema,
)
from placement.resources.requests.schemas import PlacementRequestSchema
from placement.resources.views import placement_view, request_view
from placement.services import audit, placements

blp = Blueprint("placements", __name__, description="Placements from arrival to departure.")
SEERS = ("case_manager", "shelter_manager", "regional_coordinator", "national_coordinator")
SHELTER = placements.ARRIVAL_ROLES


@blp.route("/placements/<int:placement_id>")
class PlacementById(View):
    @requires(*SEERS)
    @blp.response(200, PlacementSchema)
    def get(self, placement_id):
        """Read a placement."""
        view = placement_view(placements.placement_for(current_user(), placement_id, SEERS))
        audit.record("placement.read", "placement", placement_id)
        return view

    @requires(*placements.PLANNING_ROLES)
    @blp.arguments(PlanSchema)
    @blp.response(200, PlacementSchema)
    def patch(self, body, placement_id):
        """Plan (or clear) the stay's departure date: the shelter manager or the case manager."""
        user = current_user()
        placement = placements.placement_for(user, placement_id, placements.PLANNING_ROLES)
        placements.plan_departure(user, placement, body["planned_departure"])
        view = placement_view(placement)
        return view


@blp.route("/placements/<int:placement_id>/arrive")
class PlacementArrive(View):
    @requires(*SHELTER)
    @blp.arguments(ArrivalSchema)
    @blp.response(200, PlacementSchema)
    def post(self, body, placement_id):
        """The person arrived: the held beds become occupied (optionally: the planned departure)."""
        user = current_user()
        placement = placements.arrive(user, placements.placement_for(user, placement_id, SHELTER))
        if "planned_departure" in body:
            placements.plan_departure(user, placement, body["planned_departure"])
        return placement_view(placement)


@blp.route("/placements/<int:placement_id>/no-show")
class PlacementNoShow(View):
    @requires(*SHELTER)
    @blp.response(200, PlacementSchema)
    def post(self, placement_id):
        """Nobody came: the beds are released and the request returns to the queue."""
        user = current_user()
        placement = placements.no_show(user, placements.placement_for(user, placement_id, SHELTER))
        return placement_view(placement)


@blp.route("/placements/<int:placement_id>/discharge")
class PlacementDischarge(View):
    @requires(*SHELTER)
    @blp.arguments(DischargeSchema)
    @blp.response(200, PlacementSchema)
    def post(self, body, placement_id):
        """The stay ends: the beds become available."""
        user = current_user()
        placement = placements.placement_for(user, placement_id, SHELTER)
        placements.discharge(user, placement, body["reason"])
        return placement_view(placement)


@blp.route("/placements/<int:placement_id>/transfer")
class PlacementTransfer(View):
    @requires(*placements.TRANSFER_ROLES)
    @idempotent
    @blp.arguments(TransferSchema)
    @blp.response(201, PlacementRequestSchema)
    def post(self, body, placement_id):
        """Start a transfer: a new request linked to this placement; the bed is kept until then."""
        user = current_user()
        placement = placements.placement_for(user, placement_id, placements.TRANSFER_ROLES)
        request = placements.transfer(user, placement, body["urgency"],
                                      body.get("current_municipality"))
        about_case(request.case_id)
        return request_view(request, user)
