"""Regions and municipalities of the network."""

import sqlalchemy as sa

from placement.auth import requires
from placement.extensions import db
from placement.models import Municipality, Region
from placement.resources.common import Blueprint, View
from placement.resources.geo.schemas import (
    MunicipalityQueryArgsSchema,
    MunicipalitySchema,
    RegionSchema,
)

blp = Blueprint("geo", __name__, description="Regions and municipalities.")


@blp.route("/regions")
class Regions(View):
    @requires()
    @blp.response(200, RegionSchema(many=True))
    def get(self):
        """List regions with their centroids."""
        regions = list(db.session.scalars(sa.select(Region).order_by(Region.code)))
        return regions


@blp.route("/municipalities")
class Municipalities(View):
    @requires()
    @blp.arguments(MunicipalityQueryArgsSchema, location="query")
    @blp.response(200, MunicipalitySchema(many=True))
    def get(self, args):
        """List municipalities with their centroids, optionally of one region."""
        query = sa.select(Municipality).order_by(Municipality.code)
        if args.get("region"):
            query = query.where(Municipality.region_code == args["region"])
        municipalities = list(db.session.scalars(query))
        return municipalities
