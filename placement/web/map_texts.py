"""The words drawn inside the SVG maps and charts, translated for the page's language.

The cartography library takes key -> text with `{field}` placeholders (placement.cartography.texts);
the page passes these, so the picture speaks the same language as the page around it.
"""

from flask_babel import gettext as _
from flask_babel import ngettext


def map_texts(outside_scope=False):
    """Every text of the maps and charts; `outside_scope` (a regional coordinator) says that the
    regions left blank are outside the user's region, not empty."""
    texts = {
        "map_title": _("Places that can take a new request, by region"),
        "map_title_municipal": _("Places that can take a new request, by municipality"),
        "region_map_title": _("{region} region: places that can take a new request, by"
                              " municipality"),
        "map_desc": _("Each area is shaded by its free places, with a pattern and a word for each"
                      " class. Shelters are drawn at their municipality's or region's centre,"
                      " never at their address. {areas}"),
        "area_region": _("{name} region: {free} places free of {total}"),
        "area_municipality": _("{name}: {free} places free of {total}"),
        "area_empty_region": _("{name} region: no shelter places"),
        "area_empty_municipality": _("{name}: no shelter places"),
        "legend_title": _("Places free for a new request"),
        "class_free": _("Free"),
        "class_free_rule": _("free places: at least {percent}%"),
        "class_few": _("Few"),
        "class_few_rule": _("free places: under {percent}%"),
        "class_full": _("Full"),
        "class_full_rule": _("no place free"),
        "class_none": _("No shelter"),
        "class_none_rule": _("no shelter places here"),
        "markers_title": _("Shelters"),
        "marker_count_rule": _("the number says how many share a position"),
        "marker": _("{label}: {shelters} ({states})"),
        "shelters": lambda count, **_fields: ngettext("%(num)d shelter", "%(num)d shelters",
                                                      count),
        "state_count": _("{count} {state}"),
        "fresh": _("fresh"),
        "fresh_rule": _("fresh: confirmed under 2 h ago"),
        "aging": _("aging"),
        "aging_rule": _("aging: 2 to 8 h"),
        "stale": _("stale"),
        "stale_rule": _("stale: over 8 h, drawn hollow"),
        "position_rule": _("drawn at a municipality's or region's centre"),
        "scale": _("{km} km"),
        "trend_title": _("Occupancy rate over the last {days} days, by region"),
        "trend_desc": _("One line per region, each with its own marker shape. {summary}"),
        "trend_summary": _("{name}: from {first}%, to {last}%"),
        "trend_no_data": _("{name}: no data"),
        "trend_point": _("{name}, {day}: occupied {rate}%"),
        "axis_rate": _("Occupancy rate (%)"),
        "axis_day": _("Day"),
    }
    if outside_scope:
        texts["area_empty_region"] = _("{name} region: outside your region, or no shelter places")
        texts["class_none_rule"] = _("no places, or not your region")
    return texts
