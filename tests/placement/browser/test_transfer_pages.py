"""In Chromium: a case manager moves a placed woman to another shelter from the request page.

The form starts from what the request says (urgency, where the person is), so a transfer takes
a choice of municipality and one click; then the new request's proposals. The old request, the
shelter manager's residents and the coordinator's request page say that a transfer is under way.
Actions a person takes are counted (clicks + fields filled).
"""

import re

import pytest
from playwright.sync_api import expect

from placement.extensions import db
from placement.models import PlacementRequest
from tests.placement.conftest import PASSWORD
from tests.placement.workflow_helpers import open_request

WOMAN = [{"gender": "female", "age": 30, "role": "primary", "languages": ["sq"]}]


def _placed(client, network, case_manager, manager):
    _case, request = open_request(client, case_manager, persons=WOMAN, suspects=[])
    hold = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                       json={"shelter_id": network["dv-prishtine"]},
                       headers=case_manager.headers).get_json()
    client.post(f"/api/v1/holds/{hold['id']}/accept", headers=manager.headers)
    placement = client.get(f"/api/v1/placement-requests/{request['id']}",
                           headers=case_manager.headers).get_json()["placement"]
    assert client.post(f"/api/v1/placements/{placement['id']}/arrive",
                       headers=manager.headers).status_code == 200
    db.session.commit()
    return request["id"], placement["id"]


def _signed_in_tab(browser, live_server, user, language, axe_check):
    """A second person's browser, signed in through the form."""
    from placement.models import User

    db.session.get(User, user.user_id).language = language
    db.session.commit()
    context = browser.new_context(base_url=live_server.url)
    tab = context.new_page()
    tab.streha_checked = set()  # axe_check records here, as on the `page` fixture's tab
    tab.goto("/login")
    tab.locator("#username").fill(user.username)
    tab.locator("#password").fill(PASSWORD)
    tab.locator("form.form button[type=submit]").click()
    tab.wait_for_load_state()
    axe_check(tab)
    return context, tab


@pytest.mark.parametrize("language", ["sq", "sr_Latn"])
def test_a_case_manager_transfers_a_placed_woman_and_every_role_sees_it(
        page, browser, live_server, sign_in, network, client, make_user, shot, axe_check,
        language):
    case_manager = sign_in(page, "case_manager", language=language)
    axe_check(page)  # the home page the sign-in lands on
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    request_id, placement_id = _placed(client, network, case_manager, manager)
    page.goto(f"/requests/{request_id}")
    shot(page, "request-placed")
    form = page.locator(f"form[action='/requests/{request_id}/transfer']")
    expect(form.locator("#transfer-urgency")).to_have_value("urgent")
    expect(form.locator("#transfer-current_municipality")).to_have_value("prishtine")

    # A blank field is refused, named next to it, in the reader's language.
    actions = 0
    form.locator("#transfer-urgency").select_option("")
    form.locator("button[type=submit]").click()
    actions += 2
    expect(page.locator("#transfer-urgency-error")).to_be_visible()
    expect(page.locator(".error-summary")).to_be_visible()
    shot(page, "transfer-refused")

    form = page.locator(f"form[action='/requests/{request_id}/transfer']")
    form.locator("#transfer-urgency").select_option("urgent")
    form.locator("#transfer-current_municipality").select_option("peje")
    form.locator("button[type=submit]").click()
    actions += 3
    expect(page).to_have_url(re.compile(r"/requests/\d+/proposals$"))
    new_id = int(page.url.split("/")[-2])
    shot(page, "transfer-proposals")
    moved = db.session.get(PlacementRequest, new_id)
    assert moved.transferred_from_id == placement_id and moved.current_municipality == "peje"
    db.session.commit()
    assert actions == 5  # 2 refused + 3 corrected; a first try that is right takes 2

    page.goto(f"/requests/{request_id}")
    expect(page.locator("#transfer-under-way")).to_be_visible()
    expect(page.locator(f"form[action='/requests/{request_id}/transfer']")).to_have_count(0)
    shot(page, "request-transfer-under-way")

    context, tab = _signed_in_tab(browser, live_server, manager, language, axe_check)
    try:
        tab.goto("/shelter-manager/holds")
        expect(tab.locator(f"#transfer-{placement_id}")).to_be_visible()
        shot(tab, "shelter-manager-transfer-under-way")
    finally:
        context.close()

    coordinator = make_user("national_coordinator")
    context, tab = _signed_in_tab(browser, live_server, coordinator, language, axe_check)
    try:
        tab.goto(f"/coordinator/requests/{request_id}")
        expect(tab.locator("#transfer-under-way")).to_be_visible()
        shot(tab, "coordinator-transfer-under-way")
    finally:
        context.close()
