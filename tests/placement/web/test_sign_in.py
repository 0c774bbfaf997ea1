"""Sign-in for pages: the accounts service's tokens behind an opaque, HttpOnly cookie."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from placement import clock, create_app
from placement.extensions import db
from placement.models import AuditEvent, Token
from tests.placement.conftest import PASSWORD, SECRET_KEYS
from tests.placement.web.pages import csrf_token, post_form, sign_in

HOMES = {
    "case_manager": "/case-manager/",
    "shelter_manager": "/shelter-manager/",
    "regional_coordinator": "/coordinator/",
    "national_coordinator": "/coordinator/",
    "admin": "/admin/",
}


@pytest.fixture
def users(network, make_user):
    return {
        role: make_user(role, shelters=["dv-peje"] if role == "shelter_manager" else ())
        for role in HOMES
    }


def test_the_root_sends_a_visitor_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    page = client.get("/login")
    assert page.status_code == 200
    assert "<h1" in page.get_data(as_text=True)


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_signs_in_to_its_own_home(client, users, role):
    response = sign_in(client, users[role].username)
    assert response.status_code == 302
    assert client.get("/").headers["Location"] == HOMES[role]
    home = client.get(HOMES[role])
    assert home.status_code == 200
    assert users[role].username in home.get_data(as_text=True)
    for other in set(HOMES.values()) - {HOMES[role]}:
        assert client.get(other).status_code == 403, other


def test_the_cookie_is_an_opaque_httponly_strict_id_for_an_accounts_token(client, users):
    response = sign_in(client, users["case_manager"].username)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # development; production: see the next test
    value = cookie.split(";")[0].split("=", 1)[1]
    assert value.startswith("st_") and users["case_manager"].username not in value
    rows = db.session.scalars(
        sa.select(Token).where(Token.user_id == users["case_manager"].user_id)
    )
    assert len(list(rows)) == 2  # the fixture's API token and this session's
    # The same token works as a bearer token: one kind of session, one set of rules.
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {value}"})
    assert me.get_json()["username"] == users["case_manager"].username


def test_production_sends_the_cookie_only_over_tls(app, monkeypatch):
    monkeypatch.setenv("STREHA_ENV", "production")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    production = create_app({**SECRET_KEYS, "SQLALCHEMY_DATABASE_URI": url})
    with production.test_client() as browser:
        cookie = browser.get("/login").headers["Set-Cookie"]
    assert cookie.startswith("__Host-streha_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "Path=/" in cookie


def test_a_wrong_password_is_shown_next_to_the_password_field(client, users):
    response = sign_in(client, users["admin"].username, password="not the password at all")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="password-error"' in page and "wrong" in page
    assert 'aria-describedby="password-error"' in page
    assert "Set-Cookie" not in response.headers or "st_" not in response.headers["Set-Cookie"]
    failed = db.session.scalar(
        sa.select(sa.func.count(AuditEvent.seq)).where(AuditEvent.action == "auth.login_failed")
    )
    assert failed == 1


def test_an_empty_form_names_each_missing_field(client):
    response = client.post("/login", data={"csrf_token": csrf_token(client)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="username-error"' in page and 'id="password-error"' in page


def test_the_rate_limit_of_api_logins_applies_to_the_form(app, client, users):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        sign_in(client, users["admin"].username, password="wrong password again")
    refused = sign_in(client, users["admin"].username)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert 'id="password-error"' in refused.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(client, users):
    response = client.post(
        "/login", data={"username": users["admin"].username, "password": "x" * 20}
    )
    assert response.status_code == 400
    assert "text/html" in response.content_type
    other = client.post("/login", data={"csrf_token": "forged", "username": "a", "password": "b"})
    assert other.status_code == 400


def test_the_json_api_needs_no_csrf_token(client, users):
    response = client.post(
        "/api/v1/auth/login", json={"username": users["admin"].username, "password": "x" * 20}
    )
    assert response.status_code == 401


def test_sign_out_revokes_the_token_and_needs_a_form_post(client, users):
    sign_in(client, users["admin"].username)
    assert client.get("/logout").status_code == 405
    response = post_form(client, "/logout", {}, "/admin/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/admin/").status_code == 302
    revoked = db.session.scalars(
        sa.select(Token).where(
            Token.user_id == users["admin"].user_id, Token.revoked_at.is_not(None)
        )
    )
    assert len(list(revoked)) == 1


def test_an_idle_session_ends_after_thirty_minutes(app, client, users):
    sign_in(client, users["admin"].username)
    clock.set_offset(app.config["TOKEN_IDLE_TIMEOUT"] - timedelta(minutes=1))
    assert client.get("/admin/").status_code == 200
    clock.set_offset(2 * app.config["TOKEN_IDLE_TIMEOUT"] + timedelta(minutes=1))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/admin/")


def test_sign_in_returns_to_the_page_asked_for_but_never_off_site(client, users):
    assert sign_in(client, users["admin"].username, next="/admin/").headers["Location"] == "/admin/"
    client.delete_cookie("streha_session")
    for elsewhere in ("//evil.example/", "https://evil.example/", "/\\evil.example", "/a\nb"):
        client.delete_cookie("streha_session")
        away = sign_in(client, users["admin"].username, next=elsewhere)
        assert away.headers["Location"] == "/", elsewhere


def test_htmx_requests_are_sent_to_sign_in_by_header(client):
    response = client.get("/admin/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == "/login"


def test_signing_in_over_a_live_session_ends_it(client, users):
    sign_in(client, users["admin"].username)
    form = {"username": users["case_manager"].username, "password": PASSWORD}
    assert post_form(client, "/login", form, "/admin/").status_code == 302
    assert client.get("/").headers["Location"] == "/case-manager/"
    revoked = db.session.scalars(
        sa.select(Token).where(
            Token.user_id == users["admin"].user_id, Token.revoked_at.is_not(None)
        )
    )
    assert len(list(revoked)) == 1  # the session's; the fixture's API token lives on


def test_refusals_are_pages_outside_the_api_and_json_inside(client, users):
    sign_in(client, users["case_manager"].username)
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.content_type.startswith("text/html")
    assert "Page not found" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.get_json()["code"] == 404
    denied = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.outcome == "denied")
    ).all()
    assert len(denied) == 2  # both refusals audited, as the API's are


def test_sign_in_and_sign_out_are_audited(client, users):
    sign_in(client, users["admin"].username)
    post_form(client, "/logout", {}, "/admin/")
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.actor_id == users["admin"].user_id)
    ).all()
    assert "auth.login" in actions and "auth.logout" in actions
