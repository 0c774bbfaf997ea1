"""Occupancy now, its history, unmet need, and their exports: thin views over the services."""

import json
from datetime import datetime

from flask import Response

from placement import clock
from placement.auth import current_user, requires
from placement.contract import iso_utc
from placement.resources.common import Blueprint, View
from placement.resources.occupancy.schemas import (
    HistoryArgsSchema,
    HistorySchema,
    OccupancyArgsSchema,
    OccupancySchema,
    ServiceCapacityFeedSchema,
    UnmetNeedArgsSchema,
    UnmetNeedSchema,
)
from placement.services import exports, occupancy, occupancy_history, unmet_need

blp = Blueprint("occupancy", __name__, description="Occupancy, its history, unmet need.")
FEED_READERS = ("regional_coordinator", "national_coordinator", "admin")


def json_response(view, headers=None):
    """The service's dict as JSON, times as the contract's DateTime writes them (UTC, Z). The
    schema documents the answer; dumping 2,500 nested shelters through marshmallow alone took
    300 ms, and the service builds exactly the documented keys."""
    body = json.dumps(view, default=_moment, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers=headers)


def _moment(value):
    return iso_utc(value) if isinstance(value, datetime) else value.isoformat()


def csv_response(text, name):
    """A CSV download: UTF-8 with a byte-order mark, so spreadsheets read ë and ç right."""
    filename = f"streha-{name}-{clock.now():%Y%m%d-%H%M}.csv"
    return Response("\ufeff" + text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@blp.route("/occupancy")
class Occupancy(View):
    @requires()
    @blp.arguments(OccupancyArgsSchema, location="query")
    @blp.response(200, OccupancySchema)
    def get(self, args):
        """Beds by region and shelter now: counts, freshness, places open to new requests.

        Totals, regions and stale shelters cover the whole scope; the shelter list is paged
        (limit, offset; X-Total-Count counts every shelter in scope), in region and name order.
        format=csv answers text/csv as an attachment instead of JSON, every shelter in it.
        """
        csv = args["format"] == "csv"
        page = {} if csv else {"limit": args["limit"], "offset": args["offset"]}
        view = occupancy.occupancy(current_user(), args.get("region"), **page)
        if csv:
            return csv_response(exports.occupancy_csv(view), "occupancy")
        return json_response(view, {"X-Total-Count": str(view["totals"]["shelters"])})


@blp.route("/occupancy/history")
class OccupancyHistory(View):
    @requires()
    @blp.arguments(HistoryArgsSchema, location="query")
    @blp.response(200, HistorySchema)
    def get(self, args):
        """Occupancy rate, available and held beds per hour or day, from hourly snapshots.

        format=csv answers text/csv as an attachment instead of JSON.
        """
        fmt = args.pop("format")
        view = occupancy_history.history(current_user(), **args)
        if fmt == "csv":
            name = f"occupancy-history-{view['granularity']}"
            return csv_response(exports.history_csv(view), name)
        return view


@blp.route("/occupancy/unmet-need")
class UnmetNeed(View):
    @requires(*unmet_need.READERS)
    @blp.arguments(UnmetNeedArgsSchema, location="query")
    @blp.response(200, UnmetNeedSchema)
    def get(self, args):
        """Waits, declines by reason, requests ended unplaced, optimizer exclusions, overrides.

        format=csv answers text/csv as an attachment; with audience=external, for use outside
        the organisation, every count from 1 to 4 is withheld.
        """
        fmt, audience = args.pop("format"), args.pop("audience")
        view = unmet_need.unmet_need(current_user(), **args)
        if fmt == "csv":
            external = audience == "external"
            name = "unmet-need-external" if external else "unmet-need"
            return csv_response(exports.unmet_need_csv(view, external), name)
        return view


@blp.route("/occupancy/service-capacity")
class ServiceCapacityFeed(View):
    @requires(*FEED_READERS)
    @blp.arguments(OccupancyArgsSchema(only=("region",)), location="query")
    @blp.response(200, ServiceCapacityFeedSchema)
    def get(self, args):
        """Open Referral HSDS 3 service_capacity per shelter, counts from 1 to 4 withheld."""
        view = occupancy.occupancy(current_user(), args.get("region"))
        return exports.hsds_service_capacity(view)
