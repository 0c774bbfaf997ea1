"""The words drawn inside maps and charts, English by default, replaceable by translated ones.

The caller (a page, with Flask-Babel) passes a mapping of key -> already translated text: either a
format string with the named fields shown below, or a callable taking those fields as keywords
(use one for plurals, e.g. `lambda count, **_: ngettext("%(num)d shelter", "%(num)d shelters",
count)`). Keys left out keep their English text.
"""

DEFAULT_TEXTS = {
    # maps
    "map_title": "Places that can take a new request, by region",
    "map_title_municipal": "Places that can take a new request, by municipality",
    "region_map_title": "{region} region: places that can take a new request, by municipality",
    "map_desc": "Each area is shaded by its free places, with a pattern and a word for each "
    "class. Shelters are drawn at their municipality's or region's centre, never at their "
    "address. {areas}",
    "area_region": "{name} region: {free} places free of {total}",
    "area_municipality": "{name}: {free} places free of {total}",
    "area_empty_region": "{name} region: no shelter places",
    "area_empty_municipality": "{name}: no shelter places",
    "legend_title": "Places free for a new request",
    "class_free": "Free",
    "class_free_rule": "{percent}% or more of places free",
    "class_few": "Few",
    "class_few_rule": "under {percent}% of places free",
    "class_full": "Full",
    "class_full_rule": "no place free",
    "class_none": "No shelter",
    "class_none_rule": "no shelter places here",
    "markers_title": "Shelters",
    "marker_count_rule": "the number says how many share a position",
    "marker": "{label}: {shelters} ({states})",
    "shelters": lambda count, **_: f"{count} shelter" if count == 1 else f"{count} shelters",
    "state_count": "{count} {state}",
    "fresh": "fresh",
    "fresh_rule": "fresh: confirmed under 2 h ago",
    "aging": "aging",
    "aging_rule": "aging: 2 to 8 h",
    "stale": "stale",
    "stale_rule": "stale: over 8 h, drawn hollow",
    "position_rule": "drawn at a municipality's or region's centre",
    "scale": "{km} km",
    # trend charts
    "trend_title": "Occupancy rate over the last {days} days, by region",
    "trend_desc": "One line per region, each with its own marker shape. {summary}",
    "trend_summary": "{name}: {first}% to {last}%",
    "trend_no_data": "{name}: no data",
    "trend_point": "{name}, {day}: {rate}% occupied",
    "axis_rate": "Occupancy rate (%)",
    "axis_day": "Day",
}


class Texts:
    """Words by key from the caller's mapping, else DEFAULT_TEXTS, with their fields filled."""

    def __init__(self, overrides=None):
        self._words = {**DEFAULT_TEXTS, **(overrides or {})}

    def __call__(self, key, **fields):
        words = self._words[key]
        return words(**fields) if callable(words) else words.format(**fields)
