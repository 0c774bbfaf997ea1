"""In Chromium, the coordinators' map: its tables against GET /api/v1/occupancy, a region's
drill-down, languages, CSV exports, sign-out; and a case manager kept out of every coordinator
page. Actions a person takes are counted in the comments."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from placement.extensions import db
from tests.placement.web.test_map_pages import FIGURES, _assert_public_only

LANGUAGES = {"sq": "Shqip", "sr_Latn": "Srpski (latinica)"}
SIGN_OUT = {"sq": "Dilni", "sr_Latn": "Odjavite se"}
MAP_LINK = {"en": "Map of free places", "sq": "Harta e vendeve të lira",
            "sr_Latn": "Mapa slobodnih mesta"}


def _cell(page, cell_id):
    return int(page.locator(f"#{cell_id}").inner_text())


def _download_csv(page, link):
    with page.expect_download() as info:
        link.click()
    with open(info.value.path(), encoding="utf-8-sig") as handle:
        text = handle.read()
    return list(csv.reader(io.StringIO(text)))


def _pages_in_language(page, shot):
    """Every coordinator page once more, in the page's current language, for review."""
    for path, name in (("/map", "map"), ("/map/regions/prishtine", "map-region"),
                       ("/map/trends?days=7", "trends-7"), ("/map/trends?days=30", "trends-30"),
                       ("/coordinator/unmet-need", "unmet-need"), ("/coordinator/queue", "queue")):
        page.goto(path)
        shot(page, name)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_a_regional_coordinator_reads_the_map_drills_down_exports_and_signs_out(
        page, sign_in, shot, language):
    # 3 actions: username, password, "Sign in".
    caller = sign_in(page, "regional_coordinator", region="prishtine")
    _pages_in_language(page, shot)  # English, for review; not part of the journey
    page.goto("/coordinator/")
    shot(page, "coordinator-home")
    # 1 action: the map from the home page.
    page.get_by_role("link", name=MAP_LINK["en"]).click()
    expect(page).to_have_url(re.compile(r"/map$"))
    expect(page.locator("svg[role=img]").first).to_be_visible()
    api = page.request.get("/api/v1/occupancy", headers={
        "Authorization": f"Bearer {caller.token}"}).json()
    region = api["regions"][0]
    assert region["code"] == "prishtine" and len(api["regions"]) == 1
    for figure in FIGURES:
        assert _cell(page, f"region-prishtine-{figure}") == region[figure], figure
    assert _cell(page, "region-prishtine-open") == region["open_to_new_requests"]["beds"]
    _assert_public_only(page.content(), "/map")
    db.session.commit()
    shot(page, "journey-map")

    # 1 action: drill into the region from its row.
    page.locator("#regions-table").get_by_role("link", name="Prishtinë").click()
    expect(page).to_have_url(re.compile(r"/map/regions/prishtine$"))
    for shelter in api["shelters"]:
        assert _cell(page, f"shelter-{shelter['id']}-available") == shelter["available"]
    _assert_public_only(page.content(), "/map/regions/prishtine")
    db.session.commit()
    shot(page, "journey-region")

    # 1 action: the language switch, on the page itself.
    page.get_by_role("button", name=LANGUAGES[language]).click()
    expect(page.locator("html")).to_have_attribute("lang", language.replace("_", "-"))
    expect(page).to_have_url(re.compile(r"/map/regions/prishtine$"))
    shot(page, "journey-region")

    # 1 action: back to the map; 1 action: the occupancy CSV.
    page.locator(".caption a").click()
    expect(page).to_have_url(re.compile(r"/map$"))
    rows = _download_csv(page, page.locator("a[href$='/map/occupancy.csv']"))
    header = rows[0]
    prishtine = next(row for row in rows[1:] if row[:2] == ["region", "prishtine"])
    assert int(prishtine[header.index("available")]) == region["available"]

    # 1 action: unmet need; 1 action: its external CSV.
    page.locator("a[href$='/coordinator/unmet-need']").first.click()
    expect(page.locator("#waits-table")).to_be_visible()
    shot(page, "journey-unmet-need")
    rows = _download_csv(page, page.locator("#csv-external"))
    assert rows[0] == ["section", "item", "measure", "value"]
    assert ["period", "region", "code", "prishtine"] in rows

    _pages_in_language(page, shot)
    # 1 action: sign out.
    page.get_by_role("button", name=SIGN_OUT[language]).click()
    expect(page).to_have_url(re.compile(r"/login\?signed_out=1$"))
    assert page.goto("/map").url.split("?")[0].endswith("/login")
    shot(page, "signed-out")


def test_a_case_manager_cannot_open_the_coordinator_pages(page, sign_in, axe_check):
    sign_in(page, "case_manager")
    axe_check(page)
    for path in ("/map", "/map/regions/prishtine", "/map/trends?days=7",
                 "/coordinator/queue", "/coordinator/unmet-need"):
        assert page.goto(path).status == 403, path
        axe_check(page)
