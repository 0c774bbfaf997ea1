"""In Chromium, in Albanian and in Serbian (Latin): a case manager registers a mother (31, speaks
Albanian) with a girl of 8 and a boy of 15, requests a placement from Prizren, reads why every
other shelter is excluded, holds a bed, watches the countdown, cancels, holds again and sees the
shelter's acceptance arrive without reloading. Bad input is named next to its field; another
organisation's case manager gets 404.

The registration-to-hold journey's actions (clicks + fields) are counted: see JOURNEY_ACTIONS.
"""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from placement import clock
from placement.extensions import db
from placement.models import Hold

# From the cases list to a held bed: 1 link; 7 person fields (gender and age of three, one
# language: roles come filled in); 4 case fields and 1 suspect; 1 click to register; 2 request
# fields and 1 click; 1 click to hold.
JOURNEY_ACTIONS = 18
# The request page polls its live part every 5 seconds: wait for up to three polls.
POLLED_MS = 15_000

WORDS = {
    "sq": {
        "excluded": "H4: një djalë 15 vjeç e kalon kufirin prej 12 vjeç",
        "age": "Shkruani një moshë nga 0 deri në 120",
        "risk": "Zgjidhni nivelin e rrezikut",
        "code": "Asnjë rast nuk ka kodin K-2222-3333",
        "held": "Rezervuar, në pritje të strehimores",
        "accepted": "Një strehimore e pranoi rezervimin",
        "cancelled": "Rezervimi u anulua",
        "not_found": "Faqja nuk u gjet",
    },
    "sr_Latn": {
        "excluded": "H4: dečak od 15 godina prelazi granicu ovog skloništa od 12 godina",
        "age": "Unesite starost od 0 do 120",
        "risk": "Izaberite nivo rizika",
        "code": "Nijedan slučaj nema kod K-2222-3333",
        "held": "Rezervisano, čeka se sklonište",
        "accepted": "Sklonište je prihvatilo rezervaciju",
        "cancelled": "Rezervacija je otkazana",
        "not_found": "Stranica nije pronađena",
    },
}


class Counter:
    """Counts what a person does: each click and each field filled or chosen is one action."""

    def __init__(self, tab):
        self.tab, self.actions = tab, 0

    def click(self, selector):
        self.actions += 1
        self.tab.locator(selector).first.click()

    def fill(self, selector, value):
        self.actions += 1
        self.tab.locator(selector).fill(value)

    def choose(self, selector, value):
        self.actions += 1
        self.tab.locator(selector).select_option(value)


def _fill_family(act, age="31"):
    for row, (gender, years) in enumerate((("female", age), ("female", "8"), ("male", "15"))):
        act.choose(f"#persons-{row}-gender", gender)
        act.fill(f"#persons-{row}-age", years)
    act.fill("#persons-0-languages", "sq")


def _fill_case(act, risk="medium"):
    act.choose("#category", "dv")
    if risk:
        act.choose("#risk", risk)
    act.choose("#referral_source", "police")
    act.choose("#identifying_authority", "police")
    act.choose("#suspects-0-municipality", "gjakove")


def _bad_input_is_named_next_to_the_field(tab, shot, words):
    act = Counter(tab)
    tab.goto("/cases/new")
    _fill_family(act, age="200")
    _fill_case(act, risk=None)
    act.fill("#keep_apart_from", "K-2222-3333")
    act.click("button[name=register]")
    expect(tab.locator("#persons-0-age-error")).to_contain_text(words["age"])
    expect(tab.locator("#risk-error")).to_contain_text(words["risk"])
    expect(tab.locator("#persons-0-age")).to_have_value("200")
    shot(tab, "new-case-errors")
    # The fields put right, the unknown code is refused by the cases service, named the same way.
    act.fill("#persons-0-age", "31")
    act.choose("#risk", "medium")
    act.click("button[name=register]")
    expect(tab.locator("#keep_apart_from-error")).to_contain_text(words["code"])
    expect(tab.locator("#persons-1-age")).to_have_value("8")
    shot(tab, "new-case-unknown-code")


def _accept_as_the_shelter(app, make_user, network, request_id):
    manager = make_user("shelter_manager", shelters=["dv-prizren"])
    hold = db.session.scalar(sa.select(Hold).where(Hold.request_id == request_id,
                                                   Hold.status == "active"))
    db.session.commit()
    accepted = app.test_client().post(f"/api/v1/holds/{hold.id}/accept",
                                      headers=manager.headers)
    assert accepted.status_code == 200, accepted.get_json()
    db.session.commit()


@pytest.mark.parametrize("language", ["sq", "sr_Latn"])
def test_a_case_manager_goes_from_case_to_held_bed(page, app, network, make_user, sign_in, shot,
                                                   axe_check, language):
    words = WORDS[language]
    sign_in(page, "case_manager", language=language)
    shot(page, "home")
    page.locator("main a[href='/cases/']").click()
    shot(page, "cases-empty")
    _bad_input_is_named_next_to_the_field(page, shot, words)

    page.goto("/cases/")
    axe_check(page)
    act = Counter(page)
    act.click("main a[href='/cases/new']")
    shot(page, "new-case")
    _fill_family(act)
    _fill_case(act)
    act.click("button[name=register]")
    expect(page).to_have_url(re.compile(r"/cases/\d+\?created=1$"))
    case_path = page.url.split("?")[0].split(page.url.split("/cases/")[0])[1]
    shot(page, "case")
    act.choose("#request-urgency", "urgent")
    act.choose("#request-current_municipality", "prizren")
    act.click("form[action$='/requests'] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/requests/\d+/proposals$"))
    request_path = page.url.split("/proposals")[0].split(page.url.split("/requests/")[0])[1]
    request_id = int(request_path.split("/")[2])
    # Every other shelter is excluded, each with its rules in sentences of this language.
    expect(page.locator(".excluded-list > li")).to_have_count(7)
    expect(page.locator(".excluded-list").get_by_text(words["excluded"]).first).to_be_visible()
    expect(page.get_by_text("+383 00 555 0107")).to_be_visible()
    shot(page, "proposals")
    act.click("form[action$='/holds'] button")
    assert act.actions == JOURNEY_ACTIONS

    expect(page).to_have_url(re.compile(rf"{request_path}$"))
    expect(page.locator("#request-live")).to_contain_text(words["held"])
    expect(page.locator(".countdown")).to_have_text(re.compile(r"^1(19|20) min \d+ s$"))
    shot(page, "request-held")
    # The countdown refreshes by itself (htmx polls the fragment): move the clock 20 minutes.
    clock.set_offset(timedelta(minutes=20))
    try:
        expect(page.locator(".countdown")).to_have_text(re.compile(r"^(99|100) min \d+ s$"),
                                                        timeout=POLLED_MS)
    finally:
        clock.set_offset(None)
    page.locator("form[action*='/cancel'] button").click()
    expect(page.locator("#request-live")).to_contain_text(words["cancelled"])
    shot(page, "request-cancelled")

    page.goto(f"{request_path}/proposals")
    axe_check(page)
    page.locator("form[action$='/holds'] button").first.click()
    expect(page.locator(".countdown")).to_be_visible()
    # The shelter accepts elsewhere; the page shows it without a reload, marked new.
    _accept_as_the_shelter(app, make_user, network, request_id)
    expect(page.locator(".notifications")).to_contain_text(words["accepted"], timeout=POLLED_MS)
    expect(page.locator("#request-status")).not_to_have_text(words["held"])
    shot(page, "request-accepted")

    # Another organisation's case manager finds nothing at these addresses.
    page.context.clear_cookies()
    sign_in(page, "case_manager", language=language, organisation="org-b")
    for path in (case_path, request_path, f"{request_path}/proposals"):
        response = page.goto(path)
        assert response.status == 404, path
        axe_check(page)
    if words["not_found"]:
        expect(page.locator("h1")).to_have_text(words["not_found"])
    shot(page, "other-organisation-404")
