"""Regions and municipalities of the network, a page at a time like every list."""

from placement.auth import requires
from placement.resources.common import Blueprint, PageArgsSchema, View
from placement.resources.geo.schemas import (
    MunicipalityQueryArgsSchema,
    MunicipalitySchema,
    RegionSchema,
)
from placement.services import places

blp = Blueprint("geo", __name__, description="Regions and municipalities.")


@blp.route("/regions")
class Regions(View):
    @requires()
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, RegionSchema(many=True))
    def get(self, args):
        """List regions with their centroids (limit, offset; X-Total-Count counts them all)."""
        rows, total = places.list_regions(**args)
        return rows, {"X-Total-Count": str(total)}


@blp.route("/municipalities")
class Municipalities(View):
    @requires()
    @blp.arguments(MunicipalityQueryArgsSchema, location="query")
    @blp.response(200, MunicipalitySchema(many=True))
    def get(self, args):
        """List municipalities with their centroids, optionally of one region (limit, offset;
        X-Total-Count counts them all); an unknown region answers 422."""
        rows, total = places.list_municipalities(**args)
        return rows, {"X-Total-Count": str(total)}
