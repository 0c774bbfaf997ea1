"""In Chromium, in English and in Albanian: a case manager opens the proposals of a family's
request on a network of 408 shelters (issue 11). The options come 20 at a time, paged by links;
the 307 shelters that cannot take the family are summed up by rule, and listed one by one, 20 at a
time, only when asked for; paging one list keeps the other's page; a hold from page 2 works.
"""

import re

import pytest
from playwright.sync_api import expect

from placement.extensions import db
from tests.placement.web.many_shelters import add_shelters
from tests.placement.workflow_helpers import open_request

FAMILY = [
    {"gender": "female", "age": 31, "role": "primary", "languages": ["sq"]},
    {"gender": "female", "age": 8, "role": "child"},
    {"gender": "male", "age": 15, "role": "child"},
]
WORDS = {
    None: {
        "first": "Options 1–20 of 101", "second": "Options 21–40 of 101",
        "next_options": "Next options", "next_shelters": "Next shelters",
        "see_all": "See all 307 shelters that cannot take this request, with the reasons",
        "listed": "Shelters 1–20 of 307 that cannot take this request",
        "listed_next": "Shelters 21–40 of 307 that cannot take this request",
    },
    "sq": {
        "first": "Mundësitë 1–20 nga 101", "second": "Mundësitë 21–40 nga 101",
        "next_options": "Mundësitë e tjera", "next_shelters": "Strehimoret e tjera",
        "see_all": "Shihni të gjitha 307 strehimoret që nuk mund ta marrin këtë kërkesë, me"
                   " arsyet",
        "listed": "Strehimoret 1–20 nga 307 që nuk mund ta marrin këtë kërkesë",
        "listed_next": "Strehimoret 21–40 nga 307 që nuk mund ta marrin këtë kërkesë",
    },
}


@pytest.mark.parametrize("language", [None, "sq"])
def test_a_case_manager_pages_through_the_proposals_of_a_large_network(page, app, sign_in, shot,
                                                                        axe_check, language):
    words = WORDS[language]
    add_shelters(400)
    caller = sign_in(page, "case_manager", language=language)
    axe_check(page)
    _case, made = open_request(app.test_client(), caller, municipality="prizren",
                               persons=FAMILY)
    db.session.commit()
    page.goto(f"/requests/{made['id']}/proposals")
    expect(page.locator("#options caption")).to_have_text(words["first"])
    expect(page.locator("#options tbody tr")).to_have_count(20)
    # The exclusions summed up by rule (H3, H4, H6), no shelter's reasons listed yet.
    expect(page.locator("#excluded-by-rule tbody tr")).to_have_count(3)
    expect(page.locator(".excluded-list")).to_have_count(0)
    shot(page, "proposals-at-scale")

    page.get_by_role("link", name=words["next_options"]).click()
    expect(page).to_have_url(re.compile(r"/proposals\?options_page=2#options$"))
    expect(page.locator("#options caption")).to_have_text(words["second"])
    expect(page.locator("#options tbody tr")).to_have_count(20)
    axe_check(page)

    page.get_by_role("link", name=words["see_all"]).click()
    expect(page.locator("#excluded-list")).to_have_text(words["listed"])
    expect(page.locator(".excluded-list > li")).to_have_count(20)
    expect(page.locator("#options caption")).to_have_text(words["second"])  # still page 2
    shot(page, "excluded-listed")
    page.get_by_role("link", name=words["next_shelters"]).click()
    expect(page.locator("#excluded-list")).to_have_text(words["listed_next"])
    expect(page.locator(".excluded-list > li")).to_have_count(20)
    expect(page.locator("#options caption")).to_have_text(words["second"])
    axe_check(page)

    # A hold from this page holds the beds of the option chosen.
    chosen = page.locator("#options tbody tr").first.locator("th").inner_text()
    page.locator("#options form button").first.click()
    expect(page).to_have_url(re.compile(rf"/requests/{made['id']}$"))
    expect(page.locator("#request-live")).to_contain_text(chosen.splitlines()[0])
    axe_check(page)
