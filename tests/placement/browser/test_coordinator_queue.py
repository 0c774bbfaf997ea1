"""In Chromium, the coordinators' queue: an optimizer run over it with each request's result in
words, and an override with a justification shown on the request. Actions a person takes are
counted in the comments."""

import re

from playwright.sync_api import expect

from placement.extensions import db
from tests.placement.workflow_helpers import open_request

LANGUAGES = {"sq": "Shqip", "sr_Latn": "Srpski (latinica)"}
WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]
WOMAN_AND_BOY = [{"gender": "female", "age": 35, "role": "primary", "languages": ["sq"]},
                 {"gender": "male", "age": 16, "role": "child"}]


def test_the_national_coordinator_runs_the_optimizer_and_overrides_a_rule(
        page, sign_in, shot, client, network, make_user):
    case_manager = make_user("case_manager")
    _c, placeable = open_request(client, case_manager, persons=WOMAN, suspects=[])
    _c, boy = open_request(client, case_manager, persons=WOMAN_AND_BOY, suspects=[])
    db.session.commit()
    # 3 actions: sign in.
    sign_in(page, "national_coordinator")
    shot(page, "national-home")
    # 1 action: the queue from the home page.
    page.get_by_role("link", name="Open requests").click()
    expect(page.locator("#queue")).to_contain_text(f"Request {boy['id']}")
    shot(page, "queue")
    # 1 action: run the optimizer over every region's queue.
    page.get_by_role("button", name="Run the optimizer").click()
    expect(page).to_have_url(re.compile(r"/coordinator/runs/\d+$"))
    placed = page.locator("section.result", has=page.locator(f"#result-{placeable['id']}"))
    expect(placed.locator(".result__outcome")).to_contain_text("Placed")
    refused = page.locator("section.result", has=page.locator(f"#result-{boy['id']}"))
    expect(refused.locator(".result__outcome")).to_contain_text("Not placed")
    expect(refused).to_contain_text("H4: The shelter's policy on gender, children or minors")
    # Counted by rule: every shelter excluded, each rule's row with how many it ruled out.
    expect(refused).to_contain_text(f"Shelters excluded: {len(network)}.")
    expect(refused.get_by_role("row", name=re.compile(r"^H4:"))).to_be_visible()
    run_url = page.url
    shot(page, "run")
    # 1 action: open the unplaced request; 3 actions: tick H4, write why, submit.
    refused.get_by_role("link", name=f"Request {boy['id']}").click()
    page.get_by_label(re.compile(r"^H4:")).check()
    page.get_by_label("Justification").fill("The boy is 16; the shelter agreed by phone.")
    page.get_by_role("button", name="Lift these rules for this request").click()
    expect(page.get_by_role("status")).to_contain_text("The override is saved")
    expect(page.locator("#override")).to_contain_text("H4")
    expect(page.locator("#override-justification")).to_have_text(
        "The boy is 16; the shelter agreed by phone.")
    shot(page, "request-with-override")
    request_url = page.url
    for language, button in LANGUAGES.items():
        page.get_by_role("button", name=button).click()
        expect(page.locator("html")).to_have_attribute("lang", language.replace("_", "-"))
        for url, name in ((request_url, "request-with-override"), (run_url, "run"),
                          ("/coordinator/queue", "queue")):
            page.goto(url)
            shot(page, name)
