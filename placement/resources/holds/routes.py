"""Holds: shelter managers accept or decline; case managers cancel."""


from placement.auth import current_user, requires
from placement.resources.common import Blueprint, View
from placement.resources.holds.schemas import DeclineSchema, HoldQueryArgsSchema, HoldSchema
from placement.resources.views import hold_view
from placement.services import audit, holds

blp = Blueprint("holds", __name__, description="Holds on beds.")
SEERS = ("case_manager", "shelter_manager", "regional_coordinator", "national_coordinator")


@blp.route("/holds")
class Holds(View):
    @requires(*SEERS)
    @blp.arguments(HoldQueryArgsSchema, location="query")
    @blp.response(200, HoldSchema(many=True))
    def get(self, args):
        """Holds in your scope: a shelter manager's at their shelters, newest first."""
        rows, total = holds.list_holds(current_user(), **args)
        found = [hold_view(h) for h in rows]
        audit.record("hold.list", detail=str(len(found)))
        return found, {"X-Total-Count": str(total)}


@blp.route("/holds/<int:hold_id>")
class HoldById(View):
    @requires(*SEERS)
    @blp.response(200, HoldSchema)
    def get(self, hold_id):
        """Read a hold."""
        view = hold_view(holds.hold_for(current_user(), hold_id, SEERS))
        audit.record("hold.read", "hold", hold_id)
        return view


@blp.route("/holds/<int:hold_id>/accept")
class HoldAccept(View):
    @requires("shelter_manager")
    @blp.response(200, HoldSchema)
    def post(self, hold_id):
        """Accept: a placement is created and the request's other holds are released."""
        user = current_user()
        hold = holds.accept_hold(user, holds.hold_for(user, hold_id, ("shelter_manager",)))
        return hold_view(hold)


@blp.route("/holds/<int:hold_id>/decline")
class HoldDecline(View):
    @requires("shelter_manager")
    @blp.arguments(DeclineSchema)
    @blp.response(200, HoldSchema)
    def post(self, body, hold_id):
        """Decline with a reason code; the beds go back and the request returns to the queue."""
        user = current_user()
        hold = holds.hold_for(user, hold_id, ("shelter_manager",))
        holds.decline_hold(user, hold, body["reason"], body.get("note"))
        return hold_view(hold)


@blp.route("/holds/<int:hold_id>/cancel")
class HoldCancel(View):
    @requires(*holds.HOLDERS)
    @blp.response(200, HoldSchema)
    def post(self, hold_id):
        """Withdraw a hold (or an accepted one before arrival)."""
        user = current_user()
        hold = holds.cancel_hold(user, holds.hold_for(user, hold_id, holds.HOLDERS))
        return hold_view(hold)
