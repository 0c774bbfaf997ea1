"""The coordinators' map of free places, a region's drill-down, the trends, and their CSVs.

Figures come from the occupancy services GET /occupancy and /occupancy/history answer with, in
the same scope (a regional coordinator: their region; another region is 404). The SVG is drawn
on the server by placement.cartography; every figure in it is also in a table beside it, and a
network without geometry gets the tables alone.
"""

import datetime as dt

from flask import abort, render_template, request
from flask_babel import format_date
from markupsafe import Markup

from placement import clock
from placement.cartography import attribution, network_map, region_map, trend_chart, trend_table
from placement.resources.occupancy.routes import csv_response
from placement.services import exports, occupancy, occupancy_history
from placement.web import map_inputs
from placement.web.auth import page, page_user
from placement.web.map_texts import map_texts
from placement.web.transaction import PageBlueprint

bp = PageBlueprint("web_map", __name__, url_prefix="/map")
COORDINATORS = ("regional_coordinator", "national_coordinator")
TREND_DAYS = (7, 30)


def _picture(draw, whole_network=False):
    """The SVG from `draw(atlas, names, texts)`, or None when the network has no geometry.
    On the whole network's map a regional coordinator's blank regions are outside their scope."""
    atlas = map_inputs.network_atlas()
    if atlas is None:
        return None
    outside = whole_network and page_user().role == "regional_coordinator"
    texts = map_texts(outside_scope=outside)
    return Markup(draw(atlas, map_inputs.place_names(), texts))  # noqa: S704 - our own SVG writer


@bp.route("", strict_slashes=False)
@page(*COORDINATORS)
def network():
    # The page shows regions, totals and the stale list; markers need only each shelter's
    # public position and freshness, not its figures: no shelter list in the view (limit=0).
    view = occupancy.occupancy(page_user(), limit=0)
    shelters = map_inputs.scope_positions(page_user(), view["as_of"])
    svg = _picture(lambda atlas, names, texts: network_map(
        atlas, map_inputs.region_places(view), names=names, attribution=attribution(),
        markers=map_inputs.markers(shelters), texts=texts), whole_network=True)
    return render_template("map/network.html", view=view, svg=svg)


@bp.route("/regions/<code>")
@page(*COORDINATORS)
def region(code):
    view = occupancy.occupancy(page_user(), region=code)
    positions = map_inputs.public_positions(view)
    shelters = [(positions[s["id"]], s["freshness"]) for s in view["shelters"]]
    svg = _picture(lambda atlas, names, texts: region_map(
        atlas, code, map_inputs.municipality_places(view, positions), names=names,
        attribution=attribution(), markers=map_inputs.markers(shelters), texts=texts))
    return render_template("map/region.html", view=view, region=view["regions"][0], svg=svg)


@bp.route("/occupancy.csv")
@page(*COORDINATORS)
def occupancy_csv():
    """The same CSV as GET /occupancy?format=csv, for a signed-in page."""
    view = occupancy.occupancy(page_user(), request.args.get("region") or None)
    return csv_response(exports.occupancy_csv(view), "occupancy")


def _days():
    days = request.args.get("days", "7")
    if days not in {str(d) for d in TREND_DAYS}:
        abort(404)
    return int(days)


def _start_of(days):
    """Midnight (UTC) `days - 1` days ago: the window ends with today."""
    today = clock.now().date()
    return today, dt.datetime.combine(today - dt.timedelta(days=days - 1), dt.time())


def _daily_series(days):
    """{region code: (date, rate) pairs} over the last `days` days, per region in scope."""
    user = page_user()
    today, start = _start_of(days)
    series = {}
    for region in occupancy.occupancy(user)["regions"]:
        points = occupancy_history.history(user, start=start, region=region["code"],
                                           granularity="day")["points"]
        series[region["code"]] = [(p["at"].date(), p["occupancy_rate"]) for p in points]
    return today, series


@bp.route("/trends")
@page(*COORDINATORS)
def trends():
    days = _days()
    today, series = _daily_series(days)
    dates, rows = trend_table(series, days, until=today)
    texts = map_texts()
    svg = Markup(trend_chart(  # noqa: S704 - our own SVG writer
        series, days, names=map_inputs.place_names(), until=today, texts=texts,
        format_day=lambda day: format_date(day, "d.M.")))
    return render_template("map/trends.html", days=days, dates=dates, rows=rows, svg=svg,
                           choices=TREND_DAYS)


@bp.route("/trends.csv")
@page(*COORDINATORS)
def trends_csv():
    """The daily history of the user's scope: GET /occupancy/history?granularity=day&format=csv."""
    days = _days()
    _today, start = _start_of(days)
    view = occupancy_history.history(page_user(), start=start, granularity="day")
    return csv_response(exports.history_csv(view), f"occupancy-history-{days}d")
