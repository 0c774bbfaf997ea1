"""Shelters: list, read, create, change, their rooms and beds, and "still current"."""

from flask import request

from placement.auth import current_user, requires
from placement.extensions import db
from placement.resources.capacity.schemas import RoomCreateSchema
from placement.resources.common import Blueprint, View
from placement.resources.shelters.schemas import (
    RoomSchema,
    ShelterCreateSchema,
    ShelterQueryArgsSchema,
    ShelterSchema,
    ShelterUpdateSchema,
)
from placement.services import access, capacity, shelters

blp = Blueprint("shelters", __name__, description="Shelters, their policies and capacity.")


def _with_etag(view, shelter, status=200):
    return view, status, {"ETag": shelters.etag(shelter)}


@blp.route("/shelters")
class Shelters(View):
    @requires()
    @blp.arguments(ShelterQueryArgsSchema, location="query")
    @blp.response(200, ShelterSchema(many=True))
    def get(self, args):
        """List the shelters in the caller's scope, a page at a time (limit, offset; the
        X-Total-Count header counts them all), in id order; `region` and `kind` narrow it."""
        views, total = shelters.list_shelters(current_user(), **args)
        return views, {"X-Total-Count": str(total)}

    @requires("admin")
    @blp.arguments(ShelterCreateSchema)
    @blp.response(201, ShelterSchema)
    def post(self, body):
        """Create a shelter with its rooms (administrator)."""
        shelter = shelters.create_shelter(body)
        return _with_etag(shelters.view_one(current_user(), shelter), shelter, 201)


@blp.route("/shelters/<int:shelter_id>")
class ShelterById(View):
    @requires()
    @blp.response(200, ShelterSchema)
    def get(self, shelter_id):
        """Read one shelter; the ETag header guards later changes."""
        shelter = access.visible_shelter(current_user(), shelter_id)
        view = shelters.view_one(current_user(), shelter)
        return _with_etag(view, shelter)

    @requires("admin")
    @blp.arguments(ShelterUpdateSchema)
    @blp.response(200, ShelterSchema)
    def patch(self, body, shelter_id):
        """Change a shelter's details or policy (administrator; needs If-Match)."""
        shelter = access.visible_shelter(current_user(), shelter_id)
        shelters.check_if_match(shelter, request.headers.get("If-Match"), required=True)
        shelters.update_shelter(shelter, body)
        return _with_etag(shelters.view_one(current_user(), shelter), shelter)


@blp.route("/shelters/<int:shelter_id>/rooms")
class ShelterRooms(View):
    @requires()
    @blp.response(200, RoomSchema(many=True))
    def get(self, shelter_id):
        """The shelter's rooms, each with its beds."""
        shelter = access.shelter_for_detail(current_user(), shelter_id)
        rooms = shelters.rooms_with_beds(shelter)
        return _with_etag(rooms, shelter)

    @requires(*access.CAPACITY_WRITERS)
    @blp.arguments(RoomCreateSchema)
    @blp.response(201, RoomSchema)
    def post(self, body, shelter_id):
        """Add a room with its beds."""
        shelter = access.shelter_for_capacity(current_user(), shelter_id)
        shelters.check_if_match(shelter, request.headers.get("If-Match"), required=False)
        room = capacity.add_room(shelter, actor=current_user(), **body)
        db.session.flush()
        db.session.refresh(room)
        return room


@blp.route("/shelters/<int:shelter_id>/confirm")
class ShelterConfirm(View):
    @requires("shelter_manager", "admin")
    @blp.response(200, ShelterSchema)
    def post(self, shelter_id):
        """Confirm that the shelter's rooms and beds are current."""
        shelter = access.shelter_for_capacity(current_user(), shelter_id)
        capacity.confirm(shelter)
        return _with_etag(shelters.view_one(current_user(), shelter), shelter)
