"""The case manager's pages with Flask's test client: a case from the form, errors next to the
field, the same rules as the API (keep-apart codes), holds from proposals, and scope (404)."""

import re

import sqlalchemy as sa

from placement.extensions import db
from placement.models import Case, Hold
from tests.placement.web.pages import csrf_token, post_form, sign_in
from tests.placement.workflow_helpers import case_body

FAMILY = {
    "persons-0-gender": "female", "persons-0-age": "31", "persons-0-role": "primary",
    "persons-0-languages": "sq",
    "persons-1-gender": "female", "persons-1-age": "8", "persons-1-role": "child",
    "persons-2-gender": "male", "persons-2-age": "15", "persons-2-role": "child",
    "category": "dv", "risk": "medium", "referral_source": "police",
    "identifying_authority": "police", "suspects-0-municipality": "gjakove",
}


def _signed_in(client, make_user, organisation="org-a"):
    caller = make_user("case_manager", organisation=organisation)
    assert sign_in(client, caller.username).status_code == 302
    return caller


def _register(client, **changes):
    return post_form(client, "/cases/new", {**FAMILY, **changes}, "/cases/new")


def test_a_case_from_the_form_is_the_apis_case(client, network, make_user):
    caller = _signed_in(client, make_user)
    made = _register(client, **{"persons-3-gender": "", "persons-3-age": ""})
    assert made.status_code == 302
    case_id = int(made.headers["Location"].split("/")[2].split("?")[0])
    api = client.get(f"/api/v1/cases/{case_id}", headers=caller.headers).get_json()
    assert [p["age"] for p in api["persons"]] == [31, 8, 15]  # the blank row is ignored
    assert api["persons"][0]["languages"] == ["sq"]
    assert api["suspects"] == [{"municipality": "gjakove"}]
    listed = client.get("/cases/").get_data(as_text=True)
    assert api["code"] in listed


def test_bad_input_is_named_next_to_its_field_and_kept(client, network, make_user):
    _signed_in(client, make_user)
    answer = _register(client, **{"persons-0-age": "200", "risk": "",
                                  "keep_apart_from": "K-2222-3333"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert re.search(r'id="persons-0-age-error"[^<]*<span[^>]*>[^<]*</span> Enter an age from 0'
                     r' to 120', page)
    assert 'id="risk-error"' in page and "Choose the risk level" in page
    assert 'value="200"' in page  # what was typed stays
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
    # Fields right, the unknown keep-apart code is the service's refusal, next to its field.
    answer = _register(client, keep_apart_from="K-2222-3333")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="keep_apart_from-error"' in page and "No case has the code K-2222-3333" in page
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_the_api_refuses_an_unknown_keep_apart_code_and_accepts_another_orgs(client, network,
                                                                               make_user):
    police = make_user("case_manager", organisation="police")
    ngo = make_user("case_manager", organisation="ngo")
    refused = client.post("/api/v1/cases", headers=ngo.headers,
                          json=case_body(keep_apart_from=["K-2222-3333"]))
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"keep_apart_from[0]": ["unknown case code"]}
    other = client.post("/api/v1/cases", headers=police.headers, json=case_body()).get_json()
    accepted = client.post("/api/v1/cases", headers=ngo.headers,
                           json=case_body(keep_apart_from=[other["code"]]))
    assert accepted.status_code == 201
    patched = client.patch(f"/api/v1/cases/{accepted.get_json()['id']}", headers=ngo.headers,
                           json={"keep_apart_from": [accepted.get_json()["code"]]})
    assert patched.status_code == 422


def test_request_proposals_hold_and_cancel_through_the_pages(client, network, make_user):
    _signed_in(client, make_user)
    case_page = _register(client).headers["Location"]
    case_id = int(case_page.split("/")[2].split("?")[0])
    made = post_form(client, f"/cases/{case_id}/requests",
                     {"request-urgency": "urgent", "request-current_municipality": "prizren"},
                     case_page)
    assert made.status_code == 302
    proposals_path = made.headers["Location"]
    page = client.get(proposals_path).get_data(as_text=True)
    assert "Streha e Grave Prizren" in page and "+383 00 555 0107" in page
    assert "H4: a boy aged 15 is over this shelter&#39;s limit of 12" in page
    request_id = int(proposals_path.split("/")[2])
    held = post_form(client, f"/requests/{request_id}/holds",
                     {"shelter_id": network["dv-prizren"]}, proposals_path)
    assert held.status_code == 302
    live = client.get(f"/requests/{request_id}/live").get_data(as_text=True)
    assert "Held, waiting for the shelter" in live and re.search(r"1[01]\d min \d+ s", live)
    hold = db.session.scalar(sa.select(Hold).where(Hold.request_id == request_id))
    db.session.commit()
    cancelled = post_form(client, f"/holds/{hold.id}/cancel", {}, f"/requests/{request_id}")
    assert cancelled.status_code == 302
    assert "Hold cancelled" in client.get(f"/requests/{request_id}").get_data(as_text=True)


def test_another_organisation_gets_404(client, network, make_user, app):
    _signed_in(client, make_user)
    case_page = _register(client).headers["Location"].split("?")[0]
    case_id = int(case_page.split("/")[2])
    made = post_form(client, f"/cases/{case_id}/requests",
                     {"request-urgency": "urgent", "request-current_municipality": "prizren"},
                     case_page)
    request_path = "/requests/" + made.headers["Location"].split("/")[2]
    other = app.test_client()
    _signed_in(other, make_user, organisation="org-b")
    for path in (case_page, request_path, request_path + "/proposals", request_path + "/live"):
        assert other.get(path).status_code == 404, path
    token = csrf_token(other, "/cases/new")
    assert other.post(f"/cases/{case_id}/close", data={"csrf_token": token,
                                                       "close-reason": "x"}).status_code == 404


def test_reassessing_needs_a_reason_and_closing_ends_the_case(client, network, make_user):
    caller = _signed_in(client, make_user)
    case_page = _register(client).headers["Location"].split("?")[0]
    case_id = int(case_page.split("/")[2])
    refused = post_form(client, f"/cases/{case_id}/risk", {"risk-risk": "high"}, case_page)
    assert refused.status_code == 422
    assert 'id="risk-risk_reason-error"' in refused.get_data(as_text=True)
    saved = post_form(client, f"/cases/{case_id}/risk",
                      {"risk-risk": "high", "risk-risk_reason": "threats by phone"}, case_page)
    assert saved.status_code == 302
    api = client.get(f"/api/v1/cases/{case_id}", headers=caller.headers).get_json()
    assert api["risk"] == "high" and api["assessments"][-1]["reason"] == "threats by phone"
    closed = post_form(client, f"/cases/{case_id}/close", {"close-reason": "moved abroad"},
                       case_page)
    assert closed.status_code == 302
    api = client.get(f"/api/v1/cases/{case_id}", headers=caller.headers).get_json()
    assert (api["status"], api["close_reason"], api["suspects"]) == ("closed", "moved abroad", [])
    page = client.get(case_page).get_data(as_text=True)
    assert "Request a placement" not in page  # a closed case takes no new request


def test_a_second_request_while_one_is_live_is_refused_in_words(client, network, make_user):
    _signed_in(client, make_user)
    case_page = _register(client).headers["Location"].split("?")[0]
    case_id = int(case_page.split("/")[2])
    form = {"request-urgency": "urgent", "request-current_municipality": "prizren"}
    assert post_form(client, f"/cases/{case_id}/requests", form, case_page).status_code == 302
    again = post_form(client, f"/cases/{case_id}/requests", form, case_page)
    assert again.status_code == 409
    assert "already has request" in again.get_data(as_text=True)
    missing = post_form(client, f"/cases/{case_id}/requests", {"request-urgency": "urgent"},
                        case_page)
    assert missing.status_code == 422
    assert 'id="request-current_municipality-error"' in missing.get_data(as_text=True)


def test_add_a_person_re_renders_the_form_with_one_more_row(client, network, make_user):
    _signed_in(client, make_user)
    answer = _register(client, add_person="1")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="persons-3-gender"' in page and 'id="persons-4-gender"' not in page
    assert re.search(r'<input[^>]*id="persons-2-age"[^>]*value="15"', page)
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
