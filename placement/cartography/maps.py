"""The choropleth SVGs: the whole network by region (or municipality), and one region zoomed."""

from placement.cartography.legend import fill_of, legend, pattern_defs, shade_class
from placement.cartography.markers import INK, draw_group, group_markers
from placement.cartography.svg import document, element, text, titled
from placement.cartography.texts import Texts

WIDTH, HEIGHT = 900, 660
MAP_BOX = (10, 10, 580, 610)
LEGEND_X = 612
BORDER = "#24323c"


def network_map(atlas, values, *, names, attribution, markers=(), level="region", texts=None,
                few_below_percent=20, id_prefix="map"):
    """SVG of every area shaded by its free places, with markers, legend and attribution.

    `values` maps region codes (level "region") or municipality codes (level "municipality") to
    `Places`; an area left out is drawn as "no shelter". `names` maps codes to display names.
    """
    say = Texts(texts)
    _check_positions(atlas, markers)
    view = atlas.view(MAP_BOX)
    if level == "region":
        areas = [
            _area(say, "region", r, values.get(r), names, few_below_percent, id_prefix,
                  "".join(view.paths[m] for m in atlas.municipalities(r)))
            for r in atlas.regions()
        ]
    elif level == "municipality":
        areas = [
            _area(say, "municipality", m, values.get(m), names, few_below_percent, id_prefix,
                  view.paths[m])
            for m in atlas.municipalities()
        ]
    else:
        raise ValueError(f"level: {level!r} is neither 'region' nor 'municipality'")
    title = say("map_title" if level == "region" else "map_title_municipal")
    labels = [(names.get(r, r), view.anchors[r], 15) for r in atlas.regions()]
    return _svg(view, say, title, areas, labels, markers, attribution, few_below_percent,
                id_prefix)


def region_map(atlas, region, values, *, names, attribution, markers=(), texts=None,
               few_below_percent=20, id_prefix="map"):
    """SVG of one region's municipalities, zoomed, shaded by `values` per municipality code.

    Markers are kept only when their position is the region or one of its municipalities.
    """
    say = Texts(texts)
    _check_positions(atlas, markers)
    view = atlas.view(MAP_BOX, region)
    codes = atlas.municipalities(region)
    areas = [
        _area(say, "municipality", m, values.get(m), names, few_below_percent, id_prefix,
              view.paths[m])
        for m in codes
    ]
    inside = {region, *codes}
    kept = [m for m in markers if m.position in inside]
    labels = [(names.get(m, m), view.anchors[m], 13) for m in codes if m in view.anchors]
    title = say("region_map_title", region=names.get(region, region))
    return _svg(view, say, title, areas, labels, kept, attribution, few_below_percent, id_prefix)


def _check_positions(atlas, markers):
    """A marker names a municipality or region of the network: a public position, nothing finer."""
    public = set(atlas.region_of) | set(atlas.regions())
    unknown = sorted({m.position for m in markers} - public)
    if unknown:
        raise ValueError(f"markers: {unknown} name no municipality or region of the network")


def _area(say, level, code, places, names, few_below_percent, prefix, path):
    """(accessible name, markup) of one shaded area."""
    shade = shade_class(places, few_below_percent)
    name = names.get(code, code)
    if shade == "none":
        words = say(f"area_empty_{level}", name=name)
    else:
        words = say(f"area_{level}", name=name, free=places.free, total=places.total)
    markup = titled(
        "path",
        {"d": path, "class": f"area area-{shade}", "data-area": code, "data-class": shade,
         "fill": fill_of(shade, prefix), "stroke": "#8796a0", "stroke-width": 1,
         "stroke-linejoin": "round"},
        words,
    )
    return words, markup


def _svg(view, say, title, areas, labels, markers, attribution, few_below_percent, prefix):
    description = say("map_desc", areas="; ".join(words for words, _ in areas) + ".")
    borders = element(
        "g",
        {"class": "borders", "fill": "none", "stroke": BORDER, "stroke-linejoin": "round"},
        element("path", {"d": view.between, "stroke-width": 2}) if view.between else "",
        element("path", {"d": view.outline, "stroke-width": 3}),
    )
    drawn = group_markers(markers, view.frame)
    return document(
        WIDTH, HEIGHT, prefix, title, description,
        pattern_defs(prefix),
        element("g", {"class": "areas"}, *(markup for _, markup in areas)),
        borders,
        element("g", {"class": "labels"}, *(_label(*label, drawn) for label in labels)),
        element("g", {"class": "markers"}, *(draw_group(g, say) for g in drawn)),
        legend(LEGEND_X, 34, prefix, say, few_below_percent, view.frame.units_per_km()),
        element("text", {"class": "attribution", "x": 10, "y": HEIGHT - 12, "font-size": 11,
                         "fill": "#3d4852"}, text(attribution)),
    )


# Where a label may sit relative to its anchor, tried in turn: above, below, further, aside.
LABEL_OFFSETS = [(0, -16), (0, 24), (0, -36), (0, 44), (0, -56), (0, 64)] + [
    (dx, dy) for dy in (-16, 24, -36, 44) for dx in (-48, 48, -80, 80)
]


def _label(words, anchor, size, groups):
    """A place name with a white halo, above its anchor or else below, where no marker hides it."""
    half_width = len(words) * size * 3 // 10 + 2

    def clear(x, baseline):
        return not any(
            abs(g.x - x) < half_width + g.radius
            and g.y + g.radius > baseline - size and g.y - g.radius < baseline + 4
            for g in groups
        )

    spots = [(anchor[0] + dx, anchor[1] + dy) for dx, dy in LABEL_OFFSETS]
    x, baseline = next((spot for spot in spots if clear(*spot)), spots[0])
    return element(
        "text",
        {"x": x, "y": baseline, "text-anchor": "middle", "font-size": size, "font-weight": "bold",
         "fill": INK, "stroke": "#ffffff", "stroke-width": 4, "stroke-linejoin": "round",
         "paint-order": "stroke", "aria-hidden": "true"},
        text(words),
    )
