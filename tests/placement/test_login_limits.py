"""Login limits count failures only: per username and address, per username, per address."""

import threading
from datetime import timedelta

import pytest

from placement import clock
from placement.extensions import db
from placement.services import accounts
from tests.placement.conftest import PASSWORD

WRONG = "not the password at all"


def attempt(client, username, password, address):
    return client.post("/api/v1/auth/login", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def ana(make_user):
    make_user("admin", username="ana")
    return "ana"


def test_a_stranger_cannot_lock_an_account_out_from_another_address(client, ana):
    for _ in range(5):
        assert attempt(client, ana, WRONG, "203.0.113.9").status_code == 401
    locked = attempt(client, ana, PASSWORD, "203.0.113.9")
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) == 900
    assert locked.get_json()["errors"] == {"limit": "username_and_address"}
    assert attempt(client, ana, PASSWORD, "198.51.100.4").status_code == 200


def test_an_office_is_not_locked_out_by_its_own_logins(client, make_user):
    names = [make_user("admin").username for _ in range(3)]
    for round_ in range(15):
        for name in names:
            assert attempt(client, name, PASSWORD, "192.0.2.50").status_code == 200, round_
    # A few typos in the office, spread over people, lock nobody.
    for name in names:
        assert attempt(client, name, WRONG, "192.0.2.50").status_code == 401
    assert attempt(client, names[0], PASSWORD, "192.0.2.50").status_code == 200


def test_guessing_spread_over_addresses_meets_the_slower_limit_per_username(client, ana):
    for index in range(20):
        assert attempt(client, ana, WRONG, f"203.0.113.{index // 4}").status_code == 401
    locked = attempt(client, ana, PASSWORD, "198.51.100.77")
    assert locked.status_code == 429 and locked.get_json()["errors"] == {"limit": "username"}
    assert locked.headers["Retry-After"] == "3600"
    clock.set_offset(timedelta(minutes=61))
    assert attempt(client, ana, PASSWORD, "198.51.100.77").status_code == 200


def test_one_address_spraying_many_usernames_is_stopped(client, ana):
    for index in range(30):
        assert attempt(client, f"user-{index}", WRONG, "203.0.113.200").status_code == 401
    locked = attempt(client, ana, PASSWORD, "203.0.113.200")
    assert locked.status_code == 429 and locked.get_json()["errors"] == {"limit": "address"}
    assert attempt(client, ana, PASSWORD, "203.0.113.201").status_code == 200


def test_parallel_attempts_check_no_more_passwords_than_the_limit(app, make_user, monkeypatch):
    # The library's own Argon2 cost, as in production: a check long enough for every attempt
    # to arrive while the first ones are still checking.
    app.config["PASSWORD_HASH_COST"] = {}
    ana = make_user("admin", username="ana").username
    checked = []
    real_verify = accounts._verify

    def counting_verify(password_hash, password):
        checked.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(accounts, "_verify", counting_verify)
    db.session.rollback()
    clients = 25
    barrier = threading.Barrier(clients)
    statuses = [None] * clients

    def guess(index):
        local = app.test_client()
        barrier.wait()
        statuses[index] = attempt(local, ana, f"{WRONG} {index}", "203.0.113.66").status_code

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(checked) == 5, (checked, statuses)
    assert sorted(statuses) == [401] * 5 + [429] * 20, statuses


def test_the_service_serves_a_sign_in_page_with_the_same_limits(app, ana):
    for _ in range(5):
        assert accounts.login(ana, WRONG, "203.0.113.5") is None
        db.session.commit()
    user, token, _expires = accounts.login(ana, PASSWORD, "198.51.100.5")
    db.session.commit()
    assert user.username == ana and token.startswith("st_")
