"""Shading classes (colour, pattern and words together), their <pattern> defs and the map legend."""

import math
from dataclasses import dataclass

from placement.cartography.markers import FRESHNESS, INK, symbol
from placement.cartography.svg import element, text

CLASSES = ("free", "few", "full", "none")  # legend order
# (background, pattern ink): luminance falls from free to full, so greyscale keeps the order.
PALETTE = {
    "free": ("#e2f0ea", "#5a8a7e"),
    "few": ("#a8cec3", "#345f56"),
    "full": ("#3b6370", "#b9d0d4"),
    "none": ("#f7f6f3", None),
}


@dataclass(frozen=True)
class Places:
    """Places that can take a new request (`free`) out of all places (`total`) in an area."""

    free: int
    total: int


def shade_class(places, few_below_percent=20):
    """none (no places), full (none free), few (under the percent free), else free."""
    if places is None or places.total <= 0:
        return "none"
    if places.free <= 0:
        return "full"
    return "few" if places.free * 100 < few_below_percent * places.total else "free"


def fill_of(shade, prefix):
    return PALETTE[shade][0] if shade == "none" else f"url(#{prefix}-{shade})"


def pattern_defs(prefix):
    """Dots for free, single hatching for few, cross-hatching for full; none stays plain."""
    def pattern(name, size, rotate, *marks):
        background, _ = PALETTE[name]
        return element(
            "pattern",
            {"id": f"{prefix}-{name}", "width": size, "height": size,
             "patternUnits": "userSpaceOnUse",
             "patternTransform": f"rotate({rotate})" if rotate else None},
            element("rect", {"width": size, "height": size, "fill": background}),
            *marks,
        )

    def line(name, x1, y1, x2, y2):
        return element("line", {"x1": x1, "y1": y1, "x2": x2, "y2": y2,
                                "stroke": PALETTE[name][1], "stroke-width": 2})

    return element(
        "defs",
        None,
        pattern("free", 10, 0, element("circle", {"cx": 5, "cy": 5, "r": 1,
                                                   "fill": PALETTE["free"][1]})),
        pattern("few", 8, 45, line("few", 4, 0, 4, 8)),
        pattern("full", 8, 45, line("full", 4, 0, 4, 8), line("full", 0, 4, 8, 4)),
    )


def legend(x, y, prefix, say, few_below_percent, units_per_km):
    """The legend column: classes with swatch and words, marker shapes with words, a scale bar."""
    parts = [_heading(x, y, say("legend_title"))]
    y += 14
    for shade in CLASSES:
        parts.append(element("rect", {"x": x, "y": y, "width": 34, "height": 24,
                                      "fill": fill_of(shade, prefix), "stroke": "#5b6670"}))
        parts.append(_words(x + 44, y + 10, say(f"class_{shade}"), bold=True))
        parts.append(_words(x + 44, y + 24, say(f"class_{shade}_rule", percent=few_below_percent)))
        y += 38
    y += 18
    parts.append(_heading(x, y, say("markers_title")))
    y += 22
    for state in FRESHNESS:
        parts.append(symbol(state, x + 17, y, 9))
        parts.append(_words(x + 44, y + 4, say(f"{state}_rule")))
        y += 28
    for rule in ("marker_count_rule", "position_rule"):
        parts.append(_words(x, y, say(rule)))
        y += 18
    parts.append(scale_bar(x, y + 22, units_per_km, say))
    return element("g", {"class": "legend"}, *parts)


def scale_bar(x, y, units_per_km, say):
    """A bar of a round number of kilometres about 100 units long."""
    km = _round_km(100 / units_per_km)
    length = round(km * units_per_km)
    return element(
        "g",
        {"class": "scale"},
        element("path", {"d": f"M{x} {y - 5}v5h{length}v-5", "fill": "none", "stroke": INK,
                         "stroke-width": 2}),
        _words(x + length + 8, y + 4, say("scale", km=km)),
    )


def _round_km(km):
    magnitude = 10 ** math.floor(math.log10(km))
    return next(m * magnitude for m in (5, 2, 1) if m * magnitude <= km)


def _heading(x, y, words):
    return element("text", {"x": x, "y": y, "font-size": 15, "font-weight": "bold",
                            "fill": INK}, text(words))


def _words(x, y, words, bold=False):
    return element("text", {"x": x, "y": y, "font-size": 13 if bold else 12,
                            "font-weight": "bold" if bold else None, "fill": INK}, text(words))
