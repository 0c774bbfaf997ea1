"""Server-drawn map and trend SVGs: accessible, CSP-clean, never finer than a public position."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from placement.cartography import (
    CLASSES,
    DEFAULT_TEXTS,
    Atlas,
    Marker,
    MissingGeometry,
    Places,
    attribution,
    kosovo_atlas,
    network_map,
    region_map,
    shade_class,
    trend_chart,
    trend_table,
)
from placement.cartography.maps import MAP_BOX
from placement.cartography.svg import element
from placement.data.geo import kosovo_municipalities
from placement.geometry import municipality_shapes
from placement.services.network import default_network

NS = {"s": "http://www.w3.org/2000/svg"}
FRACTION = re.compile(r"\d\.\d")


@pytest.fixture(scope="module")
def kosovo():
    network = default_network()
    region_of = {m["code"]: m["region"] for m in network["municipalities"]}
    names = {m["code"]: m["name"] for m in network["municipalities"]}
    names.update({r["code"]: r["name"] for r in network["regions"]})
    centres = {m["code"]: (m["lat"], m["lon"]) for m in network["municipalities"]}
    return kosovo_atlas(region_of), names, centres


def marker(centres, names, code, shelters=1, freshness="fresh"):
    return Marker(code, *centres[code], names[code], shelters=shelters, freshness=freshness)


def draw(kosovo, values=None, markers=(), **options):
    atlas, names, _ = kosovo
    return network_map(atlas, values or {}, names=names, attribution=attribution(),
                       markers=markers, **options)


def parse(svg):
    return ET.fromstring(svg)


def areas(root):
    return {p.get("data-area"): p for p in root.iterfind(".//s:path[@data-area]", NS)}


def groups(root):
    return root.findall(".//s:g[@data-position]", NS)


def assert_safe_markup(root):
    """CSP-clean (no style, no script, no event handler) and no fractional number anywhere."""
    for node in root.iter():
        assert not node.tag.endswith("script")
        for name, value in node.attrib.items():
            assert name != "style" and not name.startswith("on"), (node.tag, name)
            assert not FRACTION.search(value), (node.tag, name, value)


@pytest.mark.parametrize("attributes", [{"style": "fill:red"}, {"x": 12.5}])
def test_the_svg_writer_refuses_inline_style_and_fractional_numbers(attributes):
    with pytest.raises(ValueError):
        element("rect", attributes)


def test_kosovo_draws_its_38_municipalities_and_5_regions_as_accessible_shapes(kosovo):
    municipal = parse(draw(kosovo, level="municipality"))
    assert len(areas(municipal)) == 38
    root = parse(draw(kosovo, {"prizren": Places(12, 30)}))
    assert sorted(areas(root)) == ["gjilan", "mitrovice", "peje", "prishtine", "prizren"]
    title = areas(root)["prizren"].find("s:title", NS).text
    assert title == "Prizren region: 12 places free of 30"
    assert areas(root)["peje"].find("s:title", NS).text == "Pejë region: no shelter places"
    assert root.get("role") == "img"
    for label_id in root.get("aria-labelledby").split():
        assert root.find(f".//*[@id='{label_id}']", NS).text
    assert "Prizren region: 12 places free of 30" in root.find("s:desc", NS).text
    labels = [t.text for t in root.iterfind(".//s:g[@class='labels']/s:text", NS)]
    assert sorted(labels) == ["Gjilan", "Mitrovicë", "Pejë", "Prishtinë", "Prizren"]


def test_markup_has_no_style_no_script_and_no_fractional_number(kosovo):
    atlas, names, centres = kosovo
    markers = [marker(centres, names, "prizren", 2), marker(centres, names, "gjilan", 1, "stale")]
    assert_safe_markup(parse(draw(kosovo, {"prizren": Places(1, 9)}, markers)))
    assert_safe_markup(parse(region_map(atlas, "prizren", {}, names=names,
                                        attribution=attribution(), markers=markers)))


def test_markers_sit_exactly_at_their_projected_public_positions(kosovo):
    atlas, names, centres = kosovo
    codes = ["prishtine", "prizren", "peje", "gjilan", "leposaviq"]
    root = parse(draw(kosovo, markers=[marker(centres, names, c) for c in codes]))
    frame = atlas.view(MAP_BOX).frame
    drawn = {g.get("data-position"): g for g in groups(root)}
    assert sorted(drawn) == sorted(codes)
    for code in codes:
        lat, lon = centres[code]
        circle = drawn[code].find("s:circle", NS)
        assert (int(circle.get("cx")), int(circle.get("cy"))) == frame.point(lon, lat)


def test_shelters_sharing_a_position_are_one_symbol_with_their_number(kosovo):
    _, names, centres = kosovo
    markers = [marker(centres, names, "prizren", 2), marker(centres, names, "prizren", 3, "aging"),
               marker(centres, names, "peje")]
    drawn = {g.get("data-position"): g for g in groups(parse(draw(kosovo, markers=markers)))}
    assert set(drawn) == {"prizren", "peje"}
    assert drawn["prizren"].find("s:text", NS).text == "5"
    assert drawn["prizren"].find("s:title", NS).text == "Prizren: 5 shelters (2 fresh, 3 aging)"


def test_2500_shelters_become_at_most_one_symbol_per_public_position(kosovo):
    atlas, names, centres = kosovo
    codes = sorted(centres)
    markers = [marker(centres, names, codes[i % len(codes)]) for i in range(2500)]
    drawn = groups(parse(draw(kosovo, markers=markers)))
    assert len(drawn) <= len(codes)
    assert sum(int(g.get("data-shelters")) for g in drawn) == 2500


def test_neighbouring_towns_join_on_the_national_map_and_part_when_zoomed(kosovo):
    atlas, names, centres = kosovo
    markers = [marker(centres, names, "mitrovice"), marker(centres, names, "zvecan")]
    national = groups(parse(draw(kosovo, markers=markers)))
    assert [g.get("data-shelters") for g in national] == ["2"]
    zoomed = region_map(atlas, "mitrovice", {}, names=names, attribution=attribution(),
                        markers=markers)
    assert len(groups(parse(zoomed))) == 2


def test_stale_shelters_are_drawn_hollow_and_named_stale(kosovo):
    _, names, centres = kosovo
    markers = [marker(centres, names, "peje", 2, {"fresh": 1, "stale": 1}),
               marker(centres, names, "prizren")]
    drawn = {g.get("data-position"): g for g in groups(parse(draw(kosovo, markers=markers)))}
    assert drawn["peje"].find("s:circle", NS).get("fill") == "#ffffff"
    assert "1 stale" in drawn["peje"].find("s:title", NS).text
    assert drawn["prizren"].find("s:circle", NS).get("fill") != "#ffffff"
    with pytest.raises(ValueError, match="freshness"):
        draw(kosovo, markers=[marker(centres, names, "peje", 1, "old")])


def test_a_marker_must_name_a_public_position_of_the_network(kosovo):
    lonely = Marker("shelter-17", 42.3712, 20.4311, "Shelter 17")
    with pytest.raises(ValueError, match="shelter-17"):
        draw(kosovo, markers=[lonely])


def test_every_class_has_a_pattern_or_plain_fill_and_words_in_the_legend(kosovo):
    values = {"prishtine": Places(12, 30), "mitrovice": Places(2, 20), "peje": Places(0, 18)}
    root = parse(draw(kosovo, values))
    legend = " ".join(t.text for t in root.iterfind(".//s:g[@class='legend']//s:text", NS))
    for shade in CLASSES:
        assert DEFAULT_TEXTS[f"class_{shade}"] in legend
    patterns = {p.get("id") for p in root.iterfind(".//s:pattern", NS)}
    assert patterns == {"map-free", "map-few", "map-full"}
    drawn = areas(root)
    assert [drawn[c].get("data-class") for c in ("prishtine", "mitrovice", "peje", "gjilan")] == [
        "free", "few", "full", "none"]
    assert drawn["mitrovice"].get("fill") == "url(#map-few)"
    assert attribution() in "".join(root.itertext())


def test_translated_words_replace_the_english_ones(kosovo):
    texts = {"class_full": "Plot", "area_region": "Rajoni {name}: {free} nga {total} të lira",
             "shelters": lambda count, **_: f"{count} strehimore"}
    _, names, centres = kosovo
    svg = draw(kosovo, {"peje": Places(0, 4)}, [marker(centres, names, "peje")], texts=texts)
    assert "Plot" in svg and ">Full<" not in svg
    assert "Rajoni Pejë: 0 nga 4 të lira" in svg and "1 strehimore" in svg


def test_shade_classes_follow_free_places():
    assert shade_class(None) == shade_class(Places(0, 0)) == "none"
    assert shade_class(Places(0, 10)) == "full"
    assert shade_class(Places(1, 10)) == "few"
    assert shade_class(Places(2, 10)) == "free"
    assert shade_class(Places(2, 10), few_below_percent=25) == "few"


def test_drill_down_draws_only_that_regions_municipalities_and_markers(kosovo):
    atlas, names, centres = kosovo
    markers = [marker(centres, names, "prizren"), marker(centres, names, "peje")]
    root = parse(region_map(atlas, "prizren", {"dragash": Places(0, 5)}, names=names,
                            attribution=attribution(), markers=markers))
    assert sorted(areas(root)) == atlas.municipalities("prizren")
    assert len(areas(root)) == 6
    assert [g.get("data-position") for g in groups(root)] == ["prizren"]
    assert areas(root)["dragash"].find("s:title", NS).text == "Dragash: 0 places free of 5"


def test_a_network_without_polygons_raises_missing_geometry():
    shapes = municipality_shapes(*kosovo_municipalities())
    with pytest.raises(MissingGeometry):
        Atlas({}, {"prishtine": "prishtine"})
    with pytest.raises(MissingGeometry) as raised:
        Atlas(shapes, {"prishtine": "prishtine", "atlantis": "sea"})
    assert raised.value.missing == ["atlantis"]


TODAY = dt.date(2026, 11, 30)


def series():
    days = [TODAY - dt.timedelta(days=i) for i in range(30)]
    return {
        "prishtine": [(d, 0.5 + (d.day % 5) / 10) for d in days],
        "peje": [(d, None if d.day in (27, 28) else 0.9) for d in days],
        "gjilan": [],
    }


def test_trend_chart_and_its_table_show_the_same_figures():
    names = {"prishtine": "Prishtinë", "peje": "Pejë", "gjilan": "Gjilan"}
    dates, rows = trend_table(series(), 7)
    assert dates[0] == dt.date(2026, 11, 24) and dates[-1] == TODAY
    assert rows[1] == ("peje", [90, 90, 90, None, None, 90, 90])
    root = parse(trend_chart(series(), 7, names=names))
    assert_safe_markup(root)
    points = [p.find("s:title", NS).text for p in root.iterfind(".//s:g[@class='point']", NS)]
    assert len(points) == 7 + 5
    assert "Pejë, 11-26: 90% occupied" in points
    assert "Prishtinë, 11-30: 50% occupied" in points
    peje_line = root.find(".//s:g[@data-series='1']/s:path", NS).get("d")
    assert peje_line.count("M") == 2, "a day without data breaks the line"
    assert "Gjilan: no data" in root.find("s:desc", NS).text


def test_each_region_has_its_own_marker_shape_and_a_30_day_axis():
    root = parse(trend_chart(series(), 30, names={}))
    symbols = [g.find("s:g[@class='point']", NS)[1] for g in root.iterfind(".//s:g[@data-series]",
                                                                            NS) if len(g) > 1]
    assert len(symbols) == 2
    assert symbols[0].tag != symbols[1].tag, "circle for the first region, a path for the next"
    labels = [t.text for t in root.iterfind(".//s:g[@class='axes']/s:text", NS)]
    assert {"11-05", "11-10", "11-30"} <= set(labels) and "11-29" not in labels
