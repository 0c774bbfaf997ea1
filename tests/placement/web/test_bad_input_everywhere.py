"""Every form of every page, sent bad input: the answer is a 4xx (never a 500 nor a redirect as if
it worked), the field at fault is named next to it (its `<id>-error`), and what was typed is kept
in the form. Forms tested in detail elsewhere (the new case, the walk-in, a taken username) are in
the list too, so one table shows them all."""

import pytest
import sqlalchemy as sa

from placement.extensions import db
from placement.models import Bed, Room
from tests.placement.web.pages import csrf_token, sign_in
from tests.placement.workflow_helpers import open_request


def _setup(client, network, make_user):
    owner = make_user("case_manager")
    case, request = open_request(client, owner)
    hold = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                       json={"shelter_id": network["dv-prishtine"]}, headers=owner.headers)
    assert hold.status_code == 201
    bed = db.session.scalar(sa.select(Bed.id).join(Room).where(
        Room.shelter_id == network["dv-prishtine"], Bed.status == "available").limit(1))
    db.session.commit()
    return owner, {"case": case["id"], "hold": hold.get_json()["id"], "bed": bed,
                   "shelter": network["dv-prishtine"], "other_case": open_request(
                       client, owner, municipality="prizren")[0]["id"]}


# (role, form page, method, address, data, field named, a typed value the page must keep)
FORMS = [
    ("case_manager", "/cases/new", "POST", "/cases/new",
     {"persons-0-gender": "female", "persons-0-age": "-4", "persons-0-role": "primary",
      "category": "dv", "risk": "medium", "referral_source": "police",
      "identifying_authority": "police"}, "persons-0-age", "-4"),
    ("case_manager", "/cases/{case}", "POST", "/cases/{case}/risk",
     {"risk-risk": "high", "risk-risk_reason": ""}, "risk-risk_reason", None),
    ("case_manager", "/cases/{case}", "POST", "/cases/{case}/risk",
     {"risk-risk": "extreme", "risk-risk_reason": "threat seen"}, "risk-risk", "threat seen"),
    ("case_manager", "/cases/{case}", "POST", "/cases/{case}/close",
     {"close-reason": ""}, "close-reason", None),
    ("case_manager", "/cases/{other_case}", "POST", "/cases/{other_case}/requests",
     {"request-urgency": "whenever", "request-current_municipality": "prizren"},
     "request-urgency", None),
    ("case_manager", "/cases/{other_case}", "POST", "/cases/{other_case}/requests",
     {"request-urgency": "urgent", "request-current_municipality": "atlantis"},
     "request-current_municipality", None),
    ("shelter_manager", "/shelter-manager/holds", "POST", "/shelter-manager/holds/{hold}/decline",
     {"hold{hold}-reason": "", "hold{hold}-note": "kept words"}, "hold{hold}-reason",
     "kept words"),
    ("shelter_manager", "/shelter-manager/shelters/{shelter}/board", "POST",
     "/shelter-manager/beds/{bed}/out-of-service", {"bed{bed}-out-reason": "bored"},
     "bed{bed}-out-reason", None),
    ("shelter_manager", "/shelter-manager/shelters/{shelter}/board", "POST",
     "/shelter-manager/beds/{bed}/walk-in",
     {"bed{bed}-in-gender": "female", "bed{bed}-in-age": "300", "bed{bed}-in-group": "w-1"},
     "bed{bed}-in-age", "w-1"),
    ("admin", "/admin/accounts/new", "POST", "/admin/accounts/new",
     {"username": "x y!", "role": "case_manager", "organisation": "org-b"}, "username", "org-b"),
    ("admin", "/admin/accounts/new", "POST", "/admin/accounts/new",
     {"username": "newcomer", "role": "emperor", "organisation": "org-b"}, "role", "newcomer"),
    ("admin", "/admin/shelters/{shelter}", "POST", "/admin/shelters/{shelter}",
     None, "max_accompanying_boy_age", "kept-name"),
    ("admin", "/admin/audit/", "GET", "/admin/audit/?since=2026-13-40&action=user.",
     None, "since", "user."),
]


def _shelter_form(client, path):
    """The shelter edit form as the page fills it, with a boy's age no policy allows."""
    import re

    html = client.get(path).get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    for name, value in re.findall(r'<input[^>]*value="([^"]*)"[^>]*name="([^"]+)"', html):
        fields.setdefault(value, name)
    selects = re.findall(r'<select[^>]*name="([^"]+)".*?<option[^>]*selected[^>]*value="([^"]*)"'
                         r'|<select[^>]*name="([^"]+)".*?<option[^>]*value="([^"]*)"[^>]*selected',
                         html, re.S)
    for match in selects:
        name, value = (match[0], match[1]) if match[0] else (match[2], match[3])
        fields[name] = value
    fields.update(name="kept-name", max_accompanying_boy_age="-3")
    return fields


@pytest.mark.parametrize("role, form_page, method, path, data, field, kept", FORMS,
                         ids=[f"{f[3].split('/')[-1] or f[3]}-{f[5]}" for f in FORMS])
def test_bad_input_is_refused_naming_the_field_and_keeping_what_was_typed(
        app, client, network, make_user, role, form_page, method, path, data, field, kept):
    _owner, ids = _setup(client, network, make_user)
    scope = {"shelters": ["dv-prishtine"]} if role == "shelter_manager" else {}
    user = make_user(role, **scope)
    browser = app.test_client()
    assert sign_in(browser, user.username).status_code == 302
    form_page, path, field = (s.format(**ids) for s in (form_page, path, field))
    if method == "GET":
        answer = browser.get(path)
    else:
        if data is None:
            data = _shelter_form(browser, path)
        data = {k.format(**ids): v for k, v in data.items()}
        data["csrf_token"] = csrf_token(browser, form_page)
        answer = browser.post(path, data=data)
    html = answer.get_data(as_text=True)
    assert 400 <= answer.status_code < 500, (answer.status_code, html[:300])
    assert f'id="{field}-error"' in html, html[html.find("<main"):][:1500]
    if kept:
        assert f'value="{kept}"' in html or f"{kept}</textarea>" in html
