"""Shelter manager's and administrator's pages through Flask's client: scope, refusals, audit."""

import html
import re

import sqlalchemy as sa

from placement.extensions import db
from placement.models import AuditEvent, Bed, Room, Shelter, User
from placement.services import shelters as shelter_service
from tests.placement.web.pages import csrf_token, sign_in


def _bed(code, status="available"):
    shelter_id = db.session.scalar(sa.select(Shelter.id).where(Shelter.code == code))
    return db.session.scalar(
        sa.select(Bed).join(Room).where(Room.shelter_id == shelter_id, Bed.status == status,
                                        Room.kind == "adult").order_by(Bed.id).limit(1))


def _actions(name):
    return list(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.action == name)))


def test_the_board_changes_one_bed_and_refuses_bad_input_naming_the_field(
        client, network, make_user):
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    sign_in(client, manager.username)
    board = f"/shelter-manager/shelters/{network['dv-prishtine']}/board"
    assert client.get(board).status_code == 200
    bed = _bed("dv-prishtine")
    token = csrf_token(client, board)
    answer = client.post(f"/shelter-manager/beds/{bed.id}/out-of-service",
                         data={"csrf_token": token, f"bed{bed.id}-out-reason": "repair"},
                         headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert answer.headers["HX-Trigger"] == "streha-board-changed"
    row = answer.get_data(as_text=True)
    assert row.lstrip().startswith(f'<tr id="bed-{bed.id}"') and "Out of service" in row
    db.session.expire_all()
    assert bed.status == "out_of_service" and bed.status_reason == "repair"
    assert _actions("bed.update")

    other = _bed("dv-prishtine")
    refused = client.post(f"/shelter-manager/beds/{other.id}/walk-in",
                          data={"csrf_token": token, f"bed{other.id}-in-gender": "female",
                                f"bed{other.id}-in-age": "300", f"bed{other.id}-in-group": "a"},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert f'id="bed{other.id}-in-age-error"' in text and "from 0 to 120" in text
    # A man in a women's room: the service's rule, in words next to the row.
    refused = client.post(f"/shelter-manager/beds/{other.id}/walk-in",
                          data={"csrf_token": token, f"bed{other.id}-in-gender": "male",
                                f"bed{other.id}-in-age": "40", f"bed{other.id}-in-group": "a"})
    assert refused.status_code == 422
    assert "This room does not take this person" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert other.status == "available"


def test_a_shelter_manager_cannot_reach_another_shelters_board_or_beds(client, network, make_user):
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    sign_in(client, manager.username)
    assert client.get(f"/shelter-manager/shelters/{network['thb-high']}/board").status_code == 404
    theirs = _bed("thb-high")
    token = csrf_token(client, "/shelter-manager/holds")
    answer = client.post(f"/shelter-manager/beds/{theirs.id}/out-of-service",
                         data={"csrf_token": token, f"bed{theirs.id}-out-reason": "repair"})
    assert answer.status_code == 404
    db.session.expire_all()
    assert theirs.status == "available"


def test_an_admin_creates_an_account_and_sees_its_password_once(client, network, make_user):
    admin = make_user("admin")
    sign_in(client, admin.username)
    token = csrf_token(client, "/admin/accounts/new")
    missing = client.post("/admin/accounts/new", data={
        "csrf_token": token, "username": "new-manager", "role": "shelter_manager"})
    assert missing.status_code == 422
    assert "A shelter manager needs at least one shelter" in missing.get_data(as_text=True)
    made = client.post("/admin/accounts/new", data={
        "csrf_token": token, "username": "new-manager", "role": "shelter_manager",
        "shelters": [str(network["thb-high"])]})
    assert made.status_code == 200 and made.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="new-password">([^<]+)<', made.get_data(as_text=True)).group(1)
    user = db.session.scalar(sa.select(User).where(User.username == "new-manager"))
    assert [s.code for s in user.shelters] == ["thb-high"]
    account = client.get(f"/admin/accounts/{user.id}").get_data(as_text=True)
    assert password not in account
    stamp = re.search(r'name="stamp" value="([^"]+)"', account).group(1)
    reset = client.post(f"/admin/accounts/{user.id}/password",
                        data={"csrf_token": token, "stamp": stamp})
    new = re.search(r'id="new-password">([^<]+)<', reset.get_data(as_text=True)).group(1)
    assert new != password
    # The same form again (a reload): no second reset, no password.
    again = client.post(f"/admin/accounts/{user.id}/password",
                        data={"csrf_token": token, "stamp": stamp})
    assert again.status_code == 302 and "already_reset" in again.headers["Location"]
    assert len(_actions("user.password_set")) == 1
    listing = client.get("/admin/accounts/").get_data(as_text=True)
    assert "new-manager" in listing and new not in listing


def test_a_stale_shelter_edit_is_refused_and_a_new_point_is_never_echoed(
        client, network, make_user):
    admin = make_user("admin")
    sign_in(client, admin.username)
    shelter = db.session.get(Shelter, network["dv-prishtine"])
    path = f"/admin/shelters/{shelter.id}"
    form = client.get(path).get_data(as_text=True)
    token = csrf_token(client, path)
    version = html.unescape(
        re.search(r'name="version" type="hidden" value="([^"]+)"', form).group(1))
    body = {"csrf_token": token, "version": version, "name": "Renamed", "kind": "dv",
            "region": shelter.region_code, "municipality": shelter.municipality_code,
            "location_disclosure": "region", "security_level": "standard",
            "gender_policy": "women", "accepts_accompanied_children": "y",
            "max_accompanying_boy_age": "14", "languages": "sq, sr", "services": "legal",
            "lat": "42.6543219", "lon": ""}
    half = client.post(path, data=body)
    assert half.status_code == 422
    assert "42.6543219" not in half.get_data(as_text=True)
    saved = client.post(path, data={**body, "lat": "42.6543219", "lon": "21.1234567"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert shelter.name == "Renamed" and shelter.languages == ["sq", "sr"]
    assert "42.654" not in client.get(path).get_data(as_text=True)
    stale = client.post(path, data={**body, "name": "Lost update", "lat": "", "lon": ""})
    assert stale.status_code == 409
    assert "Someone else changed this shelter" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert shelter.name == "Renamed"
    assert shelter_service.etag(shelter) != version


def test_the_audit_page_filters_and_shows_the_chain_check(client, network, make_user):
    admin = make_user("admin")
    sign_in(client, admin.username)
    page = client.get(f"/admin/audit/?action=auth.&actor={admin.user_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Intact" in text and "auth.login" in text
    assert "user.create" not in text
    bad = client.get("/admin/audit/?since=2026-05-02&until=2026-05-01")
    assert bad.status_code == 422 and "must not be before" in bad.get_data(as_text=True)


def test_the_audit_pages_links_keep_the_filters(app, client, network, make_user, monkeypatch):
    from placement.web.views import admin_audit

    monkeypatch.setattr(admin_audit, "PAGE_SIZE", 2)
    admin = make_user("admin")
    for other in (app.test_client(), app.test_client(), client):
        sign_in(other, admin.username)
    first = client.get(f"/admin/audit/?action=auth.login&actor={admin.user_id}")
    text = first.get_data(as_text=True)
    assert "page 1 of 2 (3 events)" in text and "Newer events" not in text
    older = re.search(r'<a href="([^"]+)">Older events</a>', text)
    assert older, "no link to the older events"
    link = html.unescape(older.group(1))
    assert "page=2" in link and "action=auth.login" in link and f"actor={admin.user_id}" in link
    second = client.get(link).get_data(as_text=True)
    assert "page 2 of 2 (3 events)" in second and "Older events" not in second
    assert "Newer events" in second


def test_other_roles_cannot_open_these_pages(app, client, network, make_user):
    admin = make_user("admin")
    sign_in(client, admin.username)
    for path in ("/shelter-manager/holds", f"/shelter-manager/shelters/{network['thb-high']}/board",
                 "/case-manager/"):
        assert client.get(path).status_code == 403, path
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    client = app.test_client()
    sign_in(client, manager.username)
    for path in ("/admin/accounts/", "/admin/audit/", f"/admin/shelters/{network['thb-high']}"):
        assert client.get(path).status_code == 403, path


def test_another_shelters_hold_is_not_there_for_a_manager(client, network, make_user):
    from tests.placement.workflow_helpers import open_request

    owner = make_user("case_manager")
    _case, request = open_request(client, owner)
    hold = client.post(f"/api/v1/placement-requests/{request['id']}/holds",
                       json={"shelter_id": network["dv-prishtine"]}, headers=owner.headers)
    assert hold.status_code == 201
    hold_id = hold.get_json()["id"]
    stranger = make_user("shelter_manager", shelters=["thb-high"])
    sign_in(client, stranger.username)
    listing = client.get("/shelter-manager/holds").get_data(as_text=True)
    assert f'id="hold-{hold_id}"' not in listing
    token = csrf_token(client, "/shelter-manager/holds")
    for action in ("accept", "countdown"):
        path = f"/shelter-manager/holds/{hold_id}/{action}"
        answer = (client.post(path, data={"csrf_token": token}) if action == "accept"
                  else client.get(path))
        assert answer.status_code == 404, path
    # The polled list answers 204 while nothing changed, the list when it did.
    assert client.get("/shelter-manager/holds/waiting?known=").status_code == 204
    assert client.get(f"/shelter-manager/holds/waiting?known={hold_id}").status_code == 200
