"""The coordinators' map, drill-down, trends and unmet need: same figures and scope as the API,
nothing more precise than a public centroid, and tables that stand without the picture."""

import csv
import io
import re

import pytest
import sqlalchemy as sa

from placement.cartography import MissingGeometry
from placement.cartography.maps import MAP_BOX
from placement.extensions import db
from placement.models import Municipality, Region, Shelter
from placement.services.network import shelter_location
from placement.services.occupancy_history import take_hourly_snapshots
from placement.web import map_inputs
from tests.placement.web.pages import sign_in

FIGURES = ("total", "occupied", "held", "out_of_service", "available")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
MARKER = re.compile(r'<g class="marker[^"]*" data-position="([^"]+)".*?<text x="(-?\d+)" '
                    r'y="(-?\d+)"', re.S)


def _text(response):
    return response.get_data(as_text=True)


def _cell(page, cell_id):
    found = re.search(rf'id="{re.escape(cell_id)}">([^<]*)<', page)
    assert found, f"no cell {cell_id}"
    return int(found.group(1))


@pytest.fixture
def regional(client, network, make_user):
    coordinator = make_user("regional_coordinator", region="prishtine")
    sign_in(client, coordinator.username)
    return coordinator


def test_the_map_table_shows_the_apis_figures_for_the_region(client, regional):
    page = client.get("/map")
    assert page.status_code == 200
    text = _text(page)
    assert "<svg" in text and 'role="img"' in text
    api = client.get("/api/v1/occupancy", headers=regional.headers).get_json()
    assert [r["code"] for r in api["regions"]] == ["prishtine"]
    region = api["regions"][0]
    for figure in FIGURES:
        assert _cell(text, f"region-prishtine-{figure}") == region[figure], figure
    assert _cell(text, "region-prishtine-open") == region["open_to_new_requests"]["beds"]
    # Nothing of another region: its shelters are neither in the table nor on the map.
    others = db.session.scalars(sa.select(Shelter.name).where(Shelter.region_code != "prishtine"))
    assert not [name for name in others if name in text]


def test_no_number_on_the_map_approximates_a_shelter_and_markers_sit_on_centroids(
        client, regional, network):
    for path in ("/map", "/map/regions/prishtine"):
        _assert_public_only(_text(client.get(path)), path)


def _assert_public_only(page, path):
    secrets = [value for shelter in db.session.scalars(sa.select(Shelter))
               for value in shelter_location(shelter)]
    near = [n for n in NUMBER.findall(page) for s in secrets if abs(float(n) - s) < 0.0005]
    assert not near, f"{path} has numbers at a shelter's location: {near}"
    atlas = map_inputs.network_atlas()
    region = path.rsplit("/", 1)[1] if "/regions/" in path else None
    frame = atlas.view(MAP_BOX, region).frame
    markers = MARKER.findall(page)
    assert markers, f"{path} draws no shelter"
    for positions, x, y in markers:
        # A group sits at one of its positions' centroids (a region may share a municipality's
        # code, so either); overlapping symbols join the larger, never a point in between.
        centroids = {frame.point(place.lon, place.lat) for code in positions.split()
                     for place in (db.session.get(Municipality, code), db.session.get(Region, code))
                     if place is not None}
        assert (int(x), int(y)) in centroids, (path, positions)


def test_a_region_drill_down_lists_its_shelters_and_other_regions_are_404(client, regional):
    page = client.get("/map/regions/prishtine")
    assert page.status_code == 200
    api = client.get("/api/v1/occupancy", headers=regional.headers).get_json()
    text = _text(page)
    for shelter in api["shelters"]:
        assert shelter["name"] in text
        assert _cell(text, f"shelter-{shelter['id']}-available") == shelter["available"]
    assert client.get("/map/regions/peje").status_code == 404
    assert client.get("/map/regions/nowhere").status_code == 404


def test_without_geometry_the_page_is_its_tables(client, regional, monkeypatch):
    def no_geometry(region_of):
        raise MissingGeometry(region_of)

    monkeypatch.setattr(map_inputs, "kosovo_atlas", no_geometry)
    for path in ("/map", "/map/regions/prishtine"):
        text = _text(client.get(path))
        assert "<svg" not in text and 'id="no-geometry"' in text
        assert 'id="regions-table"' in text


def test_trends_chart_and_table_from_the_snapshots(client, network, make_user):
    take_hourly_snapshots()
    db.session.commit()
    national = make_user("national_coordinator")
    sign_in(client, national.username)
    for days in (7, 30):
        text = _text(client.get(f"/map/trends?days={days}"))
        assert "<svg" in text
        table = text.split('id="trend-table"')[1]
        rows = re.findall(r'<tr><th scope="row">[^<]+</th>(.*?)</tr>', table)
        regions = db.session.scalar(sa.select(sa.func.count()).select_from(Region))
        assert len(rows) == days and all(row.count("<td") == regions for row in rows)
        # Today has its snapshot: a percentage for every region; the days before, none.
        assert re.findall(r'<td class="numeric">(\d+)</td>', rows[-1]) and "–" not in rows[-1]
        assert "–" in rows[0]
    assert client.get("/map/trends?days=9").status_code == 404
    download = client.get("/map/trends.csv?days=7")
    assert download.headers["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert table and "occupancy_rate" in table[0]


def test_unmet_need_page_and_its_csvs(client, regional):
    page = client.get("/coordinator/unmet-need")
    assert page.status_code == 200 and 'id="waits-table"' in _text(page)
    download = client.get("/coordinator/unmet-need.csv?audience=external")
    assert download.status_code == 200
    assert "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["section", "item", "measure", "value"]
    assert ["period", "region", "code", "prishtine"] in rows
    bad = client.get("/coordinator/unmet-need?start=2026-13-01")
    assert bad.status_code == 422 and 'id="start-error"' in _text(bad)
    backwards = client.get("/coordinator/unmet-need?start=2026-05-02&end=2026-05-01")
    assert backwards.status_code == 422 and 'id="start-error"' in _text(backwards)
    assert 'value="2026-05-02"' in _text(backwards)  # kept as typed
    assert client.get("/coordinator/unmet-need.csv?audience=everyone").status_code == 400


def test_case_managers_cannot_open_the_coordinators_pages(client, network, make_user):
    case_manager = make_user("case_manager")
    sign_in(client, case_manager.username)
    for path in ("/map", "/map/regions/prishtine", "/map/trends", "/map/occupancy.csv",
                 "/coordinator/unmet-need", "/coordinator/unmet-need.csv"):
        assert client.get(path).status_code == 403, path


def test_places_per_10000_show_on_the_map_once_every_municipality_has_a_population(
        client, regional):
    assert 'id="population-table"' not in _text(client.get("/map"))
    towns = list(db.session.scalars(sa.select(Municipality).where(
        Municipality.region_code == "prishtine")))
    for town in towns:
        town.population = 50_000
    db.session.commit()
    text = _text(client.get("/map"))
    region = client.get("/api/v1/occupancy", headers=regional.headers).get_json()["regions"][0]
    assert region["population"] == 50_000 * len(towns)
    table = text[text.index('id="population-table"'):]
    table = table[:table.index("</table>")]
    assert f"{region['places_per_10000']:.2f}" in table
    assert ("Met" if region["meets_standard"] else "Not met") in table
