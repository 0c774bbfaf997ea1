"""Accounts: created from the command line, login, logout, expiry, disabled users, rate limits."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from placement import clock
from placement.extensions import db
from placement.models import Token, User
from placement.services import accounts

PASSWORD = "a long enough password"


def cli(app, *args, password=None):
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=list(args), input=None if password is None else password + "\n"
    )
    db.session.expire_all()
    return result


def login(client, username="ana", password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


@pytest.fixture
def ana(app, network):
    """A shelter manager created the way an operator does it: password on standard input."""
    result = cli(
        app, "users", "create", "--username", "ana", "--role", "shelter_manager",
        "--shelter", "dv-peje", "--shelter", str(network["thb-rruga"]), password=PASSWORD,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return network


def bearer(response):
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def test_users_create_reads_the_password_from_stdin_and_it_logs_in(client, ana):
    user = db.session.scalar(sa.select(User).where(User.username == "ana"))
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("$argon2id$")
    response = login(client)
    assert response.status_code == 200
    body = response.get_json()
    assert body["token"] and body["expires_at"]
    me = client.get("/api/v1/me", headers=bearer(response)).get_json()
    assert me["username"] == "ana" and me["role"] == "shelter_manager"
    assert sorted(me["shelters"]) == sorted([ana["dv-peje"], ana["thb-rruga"]])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "case_manager"], "organisation: a case manager needs one"),
        (["--role", "shelter_manager"], "shelter: a shelter manager needs at least one"),
        (["--role", "shelter_manager", "--shelter", "nowhere"], "'nowhere' is not a shelter"),
        (["--role", "regional_coordinator", "--region", "x"], "region: 'x' is not a region"),
    ],
)
def test_users_create_refuses_a_missing_scope(app, network, args, message):
    result = cli(app, "users", "create", "--username", "bo", *args, password=PASSWORD)
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(sa.select(User).where(User.username == "bo")) is None


def test_users_create_refuses_a_short_password(app, network):
    result = cli(app, "users", "create", "--username", "bo", "--role", "admin", password="short")
    assert result.exit_code == 1 and "at least 12 characters" in result.output


def test_wrong_password_and_unknown_user_answer_401_alike(client, ana):
    wrong = login(client, password="not the password at all")
    unknown = login(client, username="nobody")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json()["message"] == unknown.get_json()["message"]
    assert set(wrong.get_json()) == {"code", "status", "message", "errors"}


def test_login_refuses_unknown_fields_naming_them(client, ana):
    response = client.post(
        "/api/v1/auth/login", json={"username": "ana", "password": PASSWORD, "otp": "1"}
    )
    assert response.status_code == 422
    assert "otp" in response.get_json()["message"]


def test_five_failures_lock_logins_for_a_while(client, ana):
    for _ in range(5):
        assert login(client, password="wrong password here").status_code == 401
    locked = login(client)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    clock.set_offset(timedelta(minutes=16))
    assert login(client).status_code == 200


def test_logout_kills_the_token(client, ana):
    headers = bearer(login(client))
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 401


def test_a_token_dies_after_30_idle_minutes(client, ana):
    headers = bearer(login(client))
    clock.set_offset(timedelta(minutes=29))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    # Use moves the idle window on.
    clock.set_offset(timedelta(minutes=58))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock.set_offset(timedelta(minutes=88))
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


def last_used(headers):
    token = headers["Authorization"].split(" ", 1)[1]
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Token.last_used_at).where(Token.token_hash == accounts.hash_token(token))
    )


def test_a_token_is_written_at_most_once_per_touch_interval(app, client, ana):
    headers = bearer(login(client))
    issued = last_used(headers)
    interval = app.config["TOKEN_TOUCH_INTERVAL"]
    assert interval <= timedelta(minutes=1)
    for seconds in (1, 10, interval.total_seconds() - 1):
        clock.set_offset(timedelta(seconds=seconds))
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        assert last_used(headers) == issued, seconds
    clock.set_offset(interval)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert last_used(headers) - issued >= interval


def test_an_unwritten_last_use_still_counts_and_idle_tokens_still_die(app, client, ana):
    """The stored last use lags the real one by less than TOKEN_TOUCH_INTERVAL (1 min): a token
    last used just under IDLE - TOUCH (29 minutes) ago lives even when that use was not written,
    and one idle for 30 minutes since its last use dies."""
    idle, interval = app.config["TOKEN_IDLE_TIMEOUT"], app.config["TOKEN_TOUCH_INTERVAL"]
    headers = bearer(login(client))
    issued = last_used(headers)
    # A use late in the interval, not written (10 s of margin for the test's own run time).
    unwritten = interval - timedelta(seconds=10)
    clock.set_offset(unwritten)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert last_used(headers) == issued
    used_again = unwritten + idle - interval + timedelta(seconds=5)
    clock.set_offset(used_again)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert last_used(headers) > issued
    clock.set_offset(used_again + idle)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_token_dies_after_12_hours_however_busy(client, ana):
    headers = bearer(login(client))
    minutes = 0
    while minutes < 12 * 60 - 20:
        minutes += 20
        clock.set_offset(timedelta(minutes=minutes))
        assert client.get("/api/v1/me", headers=headers).status_code == 200, minutes
    clock.set_offset(timedelta(hours=12))
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_disabled_users_token_dies_and_they_cannot_log_in(app, client, ana):
    headers = bearer(login(client))
    assert cli(app, "users", "disable", "ana").exit_code == 0
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert login(client).status_code == 401
    assert cli(app, "users", "enable", "ana").exit_code == 0
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert login(client).status_code == 200


def test_set_password_ends_sessions(app, client, ana):
    headers = bearer(login(client))
    new = "another long password"
    assert cli(app, "users", "set-password", "ana", password=new).exit_code == 0
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert login(client).status_code == 401
    assert login(client, password=new).status_code == 200


def test_tokens_are_stored_hashed(client, ana):
    token = login(client).get_json()["token"]
    stored = db.session.execute(sa.text("SELECT token_hash FROM tokens")).scalars().all()
    assert len(stored) == 1
    assert token not in stored[0] and stored[0] != token
    assert db.session.scalar(sa.select(sa.func.count(Token.id))) == 1


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer st_not-a-token", "Basic YW5hOnB3", "Bearer " + "x" * 300],
)
def test_requests_without_a_live_token_answer_401(client, ana, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["code"] == 401


def test_each_request_is_its_own_callers(client, network, make_user):
    # Regression: the caller was cached on g, which outlives a request inside a pushed app
    # context, so a second token on the same client was answered as the first caller.
    first, second = make_user("admin"), make_user("national_coordinator")
    assert client.get("/api/v1/me", headers=first.headers).get_json()["role"] == "admin"
    second_me = client.get("/api/v1/me", headers=second.headers).get_json()
    assert second_me["role"] == "national_coordinator"
    assert client.get("/api/v1/me").status_code == 401


def test_the_demo_shelter_manager_manages_every_shelter(app, network):
    result = cli(app, "demo", "accounts")
    assert result.exit_code == 0, result.output
    assert len([line for line in result.output.splitlines() if "demo-" in line]) == 5
    manager = db.session.scalar(sa.select(User).where(User.username == "demo-shelter"))
    assert sorted(s.id for s in manager.shelters) == sorted(network.values())
    # Printed once: a second run prints no password.
    again = cli(app, "demo", "accounts")
    assert "demo-shelter" not in again.output


def test_a_bearer_token_is_checked_in_one_statement(app, client, ana):
    """Every authenticated request reads its token and the token's user: one statement, not one
    for the token and a second for its user."""
    token = login(client).get_json()["token"]
    db.session.commit()
    db.session.expunge_all()  # nothing already in the session to answer from
    seen = []

    def count(_connection, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):  # SQLite's own, at the transaction's start
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        row = accounts.authenticate(token)
        assert row.user.username == "ana"
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(seen) == 1, seen
