"""Rooms and beds: add, remove, out of service and back, residents who came outside the system."""

from flask import request

from placement.auth import current_user, requires
from placement.resources.capacity.schemas import (
    BedsAddSchema,
    BedStatusSchema,
    ResidentSchema,
)
from placement.resources.common import Blueprint, ReasonSchema, View
from placement.resources.shelters.schemas import BedSchema
from placement.services import access, capacity, shelters

blp = Blueprint("capacity", __name__, description="Rooms, beds and residents.")
WRITERS = access.CAPACITY_WRITERS


def guard(shelter):
    """An If-Match header, when sent, must carry the shelter's current ETag."""
    shelters.check_if_match(shelter, request.headers.get("If-Match"), required=False)


@blp.route("/rooms/<int:room_id>")
class RoomById(View):
    @requires(*WRITERS)
    @blp.response(204)
    def delete(self, room_id):
        """Remove a room; refused while any of its beds is occupied or held."""
        room = access.room_for_capacity(current_user(), room_id)
        guard(room.shelter)
        capacity.remove_room(room, current_user())


@blp.route("/rooms/<int:room_id>/beds")
class RoomBeds(View):
    @requires(*WRITERS)
    @blp.arguments(BedsAddSchema)
    @blp.response(201, BedSchema(many=True))
    def post(self, body, room_id):
        """Add beds to a room."""
        room = access.room_for_capacity(current_user(), room_id)
        guard(room.shelter)
        beds = capacity.add_beds(room, body["count"], current_user())
        capacity.touch_shelter(room.shelter_id, confirmed=True)
        return beds


@blp.route("/beds/<int:bed_id>")
class BedById(View):
    @requires(*WRITERS)
    @blp.arguments(BedStatusSchema)
    @blp.response(200, BedSchema)
    def patch(self, body, bed_id):
        """Take a bed out of service, or put it back, with a reason."""
        bed = access.bed_for_capacity(current_user(), bed_id)
        guard(bed.room.shelter)
        capacity.set_bed_status(bed, body["status"], body["reason"], current_user())
        return bed

    @requires(*WRITERS)
    @blp.response(204)
    def delete(self, bed_id):
        """Remove a bed; refused while it is occupied or held."""
        bed = access.bed_for_capacity(current_user(), bed_id)
        guard(bed.room.shelter)
        capacity.remove_bed(bed, current_user())
        capacity.touch_shelter(bed.room.shelter_id, confirmed=True)


@blp.route("/beds/<int:bed_id>/resident")
class BedResident(View):
    @requires(*WRITERS)
    @blp.arguments(ResidentSchema)
    @blp.response(201, BedSchema)
    def post(self, body, bed_id):
        """Record a resident who arrived outside the system (a profile, never an identity)."""
        bed = access.bed_for_capacity(current_user(), bed_id)
        guard(bed.room.shelter)
        reason = body.pop("reason")
        capacity.admit_resident(bed, body, reason, current_user())
        return bed


@blp.route("/beds/<int:bed_id>/departure")
class BedDeparture(View):
    @requires(*WRITERS)
    @blp.arguments(ReasonSchema)
    @blp.response(200, BedSchema)
    def post(self, body, bed_id):
        """Record that a resident who came outside the system has left."""
        bed = access.bed_for_capacity(current_user(), bed_id)
        guard(bed.room.shelter)
        capacity.record_departure(bed, body["reason"], current_user())
        return bed
