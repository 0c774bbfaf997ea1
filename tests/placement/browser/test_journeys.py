"""The journeys that join the roles, in Chromium, two people at once (two browser contexts).

A case manager registers a mother (31, speaks Albanian) with a girl of 8 and a boy of 15, risk
medium, a suspect in Gjakovë, requests a placement from Prizren, reads why every other shelter is
excluded and holds a bed; the manager of that shelter sees the hold appear on an open page and
accepts; the case manager's open page shows the acceptance; the shelter manager records the arrival
and the coordinators' occupancy counts the three persons. Then a hold declined with a reason code
(the request is open again and the case manager holds once more) and a hold left to expire (the
clock moved past the hold's time, the expiry job run: both pages show it). In Albanian and in
Serbian (Latin). Each person's actions (clicks + fields) are counted: see the *_ACTIONS figures.
"""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from placement import clock, jobs
from placement.extensions import db
from placement.models import Hold
from tests.placement.browser.test_case_manager_pages import Counter, _fill_case, _fill_family
from tests.placement.workflow_helpers import open_request

# Case manager, from the home page to a held bed: 2 links (cases, new case); 7 person fields;
# 4 case fields and 1 suspect municipality; 1 click to register; 2 request fields and 1 click;
# 1 click to hold.
CASE_TO_HOLD_ACTIONS = 19
# Shelter manager, from the home page: 1 link (incoming holds), 1 click to accept, 1 to record
# the arrival. The hold appears on the open page by itself.
ACCEPT_AND_ARRIVAL_ACTIONS = 3
# Shelter manager declining: open "Decline", choose a reason, send.
DECLINE_ACTIONS = 3
# Case manager holding again after a decline, from the request page: "See the options", hold.
HOLD_AGAIN_ACTIONS = 2
# The case manager's page polls every 5 seconds, the shelter manager's every 10: three polls.
POLLED_MS = 30_000

WORDS = {
    "sq": {
        "accepted": "Pranuar nga një strehimore", "placed": "Mbërriti",
        "open": "E hapur: ende pa shtrat", "held": "Shtretër të rezervuar",
        "declined_note": "Një strehimore e refuzoi rezervimin",
        "expired_note": "Një rezervim skadoi",
        "accepted_note": "Një strehimore e pranoi rezervimin",
        "declined": "Refuzuar", "expired": "Skaduar", "excluded": "H4: një djalë 15 vjeç",
        "nothing_waiting": "Asnjë rezervim nuk është në pritje",
    },
    "sr_Latn": {
        "accepted": "Prihvaćeno od skloništa", "placed": "Stigla",
        "open": "Otvoren: još nema kreveta", "held": "Kreveti rezervisani",
        "declined_note": "Sklonište je odbilo rezervaciju",
        "expired_note": "Rezervacija je istekla",
        "accepted_note": "Sklonište je prihvatilo rezervaciju",
        "declined": "Odbijeno", "expired": "Isteklo", "excluded": "H4: dečak od 15 godina",
        "nothing_waiting": "Nijedna rezervacija ne čeka",
    },
}


def _occupied(client, coordinator, shelter_id):
    answer = client.get("/api/v1/occupancy", headers=coordinator.headers)
    assert answer.status_code == 200, answer.get_json()
    db.session.commit()
    [shelter] = [s for s in answer.get_json()["shelters"] if s["id"] == shelter_id]
    return shelter["occupied"]


def _held_shelter(request_id):
    hold = db.session.scalar(sa.select(Hold).where(Hold.request_id == request_id)
                             .order_by(Hold.id.desc()).limit(1))
    db.session.commit()
    return hold


@pytest.mark.parametrize("language", ["sq", "sr_Latn"])
def test_case_to_arrival_with_the_case_manager_and_the_shelter_manager_at_once(
        open_page, sign_in, make_user, client, network, shot, language):
    words = WORDS[language]
    shelter_id = network["dv-prizren"]
    coordinator = make_user("national_coordinator")
    occupied_before = _occupied(client, coordinator, shelter_id)
    worker, manager = open_page(), open_page()
    sign_in(worker, "case_manager", language=language)
    shot(worker, "case-manager-home")
    sign_in(manager, "shelter_manager", language=language, shelters=["dv-prizren"])
    shot(manager, "shelter-manager-home")
    staff = Counter(manager)
    staff.click("main a[href='/shelter-manager/holds']")
    expect(manager.locator("#waiting")).to_contain_text(words["nothing_waiting"])
    shot(manager, "incoming-empty")

    act = Counter(worker)
    act.click("main a[href='/cases/']")
    shot(worker, "cases")
    act.click("main a[href='/cases/new']")
    shot(worker, "new-case")
    _fill_family(act)
    _fill_case(act)
    act.click("button[name=register]")
    expect(worker).to_have_url(re.compile(r"/cases/\d+\?created=1$"))
    shot(worker, "case")
    act.choose("#request-urgency", "urgent")
    act.choose("#request-current_municipality", "prizren")
    act.click("form[action$='/requests'] button[type=submit]")
    expect(worker).to_have_url(re.compile(r"/requests/\d+/proposals$"))
    request_id = int(re.search(r"/requests/(\d+)/", worker.url).group(1))
    # One shelter fits; the seven others are listed with their rules in this language.
    expect(worker.locator(".excluded-list > li")).to_have_count(7)
    expect(worker.locator(".excluded-list").get_by_text(words["excluded"]).first).to_be_visible()
    shot(worker, "proposals")
    act.click(f"form[action$='/holds']:has(input[name=shelter_id][value='{shelter_id}']) button")
    expect(worker.locator("#request-status")).to_have_text(words["held"])
    assert act.actions == CASE_TO_HOLD_ACTIONS
    shot(worker, "request-held")

    hold = _held_shelter(request_id)
    assert hold.shelter_id == shelter_id
    card = manager.locator(f"#hold-{hold.id}")
    expect(card).to_be_visible(timeout=POLLED_MS)  # no reload: the open page polls
    expect(card).to_contain_text("15")
    shot(manager, "incoming-hold")
    staff.click(f"#hold-{hold.id} form[action$='/accept'] button")
    expect(manager.locator(".notice[role=status]")).to_be_visible()
    shot(manager, "incoming-accepted")

    expect(worker.locator("#request-status")).to_have_text(words["accepted"], timeout=POLLED_MS)
    expect(worker.locator(".notifications")).to_contain_text(words["accepted_note"])
    shot(worker, "request-accepted")

    staff.click("form[action$='/arrive'] button")
    expect(manager.locator("form[action$='/discharge']")).to_have_count(1)
    assert staff.actions == ACCEPT_AND_ARRIVAL_ACTIONS
    shot(manager, "incoming-arrived")
    expect(worker.locator("#request-status")).to_have_text(words["placed"], timeout=POLLED_MS)
    shot(worker, "request-arrived")
    # The coordinators' occupancy counts the mother and her two children in that shelter.
    assert _occupied(client, coordinator, shelter_id) == occupied_before + 3


@pytest.mark.parametrize("language", ["sq", "sr_Latn"])
def test_a_declined_hold_opens_the_request_again_and_a_forgotten_one_expires(
        open_page, sign_in, make_user, client, app, network, shot, monkeypatch, language):
    # The test jumps two hours at once; a person's open page polls through them and stays
    # signed in, so the idle limit must not sign out these pages in the jump.
    monkeypatch.setitem(app.config, "TOKEN_IDLE_TIMEOUT", timedelta(hours=4))
    words = WORDS[language]
    shelter_id = network["dv-prishtine"]
    _case, placement_request = open_request(client, make_user("case_manager"))
    request_id = placement_request["id"]
    db.session.commit()
    worker, manager = open_page(), open_page()
    sign_in(worker, "case_manager", language=language)
    shot(worker, "case-manager-home")
    sign_in(manager, "shelter_manager", language=language, shelters=["dv-prishtine"])
    shot(manager, "shelter-manager-home")
    manager.goto("/shelter-manager/holds")
    shot(manager, "incoming-empty")

    worker.goto(f"/requests/{request_id}/proposals")
    shot(worker, "proposals")
    hold_here = f"form[action$='/holds']:has(input[name=shelter_id][value='{shelter_id}']) button"
    worker.locator(hold_here).click()
    expect(worker.locator("#request-status")).to_have_text(words["held"])
    first = _held_shelter(request_id)

    # The shelter declines with a reason code (and no note: it is optional).
    card = manager.locator(f"#hold-{first.id}")
    expect(card).to_be_visible(timeout=POLLED_MS)
    staff = Counter(manager)
    staff.click(f"#hold-{first.id} summary")
    staff.choose(f"#hold{first.id}-reason", "needs_not_met")
    staff.click(f"#hold-{first.id} details button")
    expect(manager.locator(f"#hold-{first.id}")).to_have_count(0)
    assert staff.actions == DECLINE_ACTIONS
    shot(manager, "incoming-declined")

    live = worker.locator("#request-live")
    expect(worker.locator("#request-status")).to_have_text(words["open"], timeout=POLLED_MS)
    expect(live.locator(".notifications")).to_contain_text(words["declined_note"])
    holds_rows = live.locator("table").first.locator("tbody tr")
    expect(holds_rows.filter(has_text=words["declined"])).to_have_count(1)
    shot(worker, "request-declined")

    # Open again: the case manager holds once more, from the same page.
    act = Counter(worker)
    act.click("#request-live a[href$='/proposals']")
    shot(worker, "proposals-again")
    act.click(hold_here)
    expect(worker.locator("#request-status")).to_have_text(words["held"])
    assert act.actions == HOLD_AGAIN_ACTIONS
    second = _held_shelter(request_id)
    assert second.id != first.id
    expect(manager.locator(f"#hold-{second.id}")).to_be_visible(timeout=POLLED_MS)

    # Nobody answers: past the hold's time, the expiry job releases it; both pages show it.
    # The job runs in this thread's session: forget what it read before the pages changed it.
    db.session.expire_all()
    clock.set_offset(app.config["HOLD_TTL"] + timedelta(minutes=1))
    try:
        assert jobs.run("release_expired_holds").summary == "expired 1"
        db.session.commit()
    finally:
        clock.set_offset(None)
    expect(worker.locator("#request-status")).to_have_text(words["open"], timeout=POLLED_MS)
    expect(live.locator(".notifications")).to_contain_text(words["expired_note"])
    expect(holds_rows.filter(has_text=words["expired"])).to_have_count(1)
    shot(worker, "request-expired")
    expect(manager.locator(f"#hold-{second.id}")).to_have_count(0, timeout=POLLED_MS)
    expect(manager.locator("#waiting")).to_contain_text(words["nothing_waiting"])
    shot(manager, "incoming-expired")
    db.session.expire_all()
    assert db.session.get(Hold, second.id).status == "expired"
    db.session.commit()
