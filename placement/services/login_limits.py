"""Login rate limits: failures counted per username and address, per username, per address.

Only failures count, so an office behind one address is never locked out by its own successful
logins, and a stranger's wrong passwords lock a username only from the stranger's address:

- LOGIN_MAX_FAILURES per username and address in LOGIN_FAILURE_WINDOW (5 in 15 minutes);
- LOGIN_MAX_FAILURES_PER_USERNAME from every address together in LOGIN_USERNAME_WINDOW (20 in an
  hour): the slower limit that stops guessing spread over many addresses;
- LOGIN_MAX_FAILURES_PER_ADDRESS over every username in LOGIN_FAILURE_WINDOW (30 in 15 minutes):
  one address spraying a password over many usernames.

The check, the password check and the count of its outcome are one step: `guard` takes the
username's and the address's transaction locks before counting, and the attempt's row commits with
the caller's transaction, which releases them. Attempts arriving together therefore check at most
as many passwords as the limits allow.
"""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from placement import clock, locks
from placement.errors import TooManyRequests
from placement.extensions import db
from placement.models import LoginAttempt


@dataclass(frozen=True)
class Limit:
    name: str
    max_setting: str
    window_setting: str


LIMITS = (
    Limit("username_and_address", "LOGIN_MAX_FAILURES", "LOGIN_FAILURE_WINDOW"),
    Limit("username", "LOGIN_MAX_FAILURES_PER_USERNAME", "LOGIN_USERNAME_WINDOW"),
    Limit("address", "LOGIN_MAX_FAILURES_PER_ADDRESS", "LOGIN_FAILURE_WINDOW"),
)


def longest_window():
    """How long attempts must be kept for the limits to see them."""
    config = current_app.config
    return max((config[limit.window_setting] for limit in LIMITS), default=timedelta(0))


def _matches(limit, username, address):
    if limit.name == "username_and_address":
        return sa.and_(LoginAttempt.username == username, LoginAttempt.address == address)
    if limit.name == "username":
        return LoginAttempt.username == username
    return LoginAttempt.address == address


def _failures(limit, username, address, moment):
    since = moment - current_app.config[limit.window_setting]
    return db.session.scalar(
        sa.select(sa.func.count(LoginAttempt.id)).where(
            _matches(limit, username, address),
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at >= since,
        )
    )


def guard(username, address):
    """Take the login locks for this username and address, and refuse (429) if a limit is
    reached. The locks are held until the caller's transaction ends: record the attempt in it."""
    # Always the username first, then the address: two logins never wait on each other in a cycle.
    locks.transaction_lock(f"login-username:{username}", f"login-address:{address}")
    config, moment = current_app.config, clock.now()
    for limit in LIMITS:
        if _failures(limit, username, address, moment) >= config[limit.max_setting]:
            minutes = int(config[limit.window_setting].total_seconds() // 60)
            raise TooManyRequests(
                f"too many failed logins; try again in up to {minutes} minutes",
                {"limit": limit.name},
                headers={"Retry-After": str(minutes * 60)},
            )


def record(username, address, succeeded):
    db.session.add(
        LoginAttempt(username=username, address=address, at=clock.now(), succeeded=succeeded)
    )
