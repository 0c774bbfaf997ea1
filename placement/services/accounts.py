"""Accounts, Argon2id passwords, opaque bearer tokens stored hashed, and login rate limits."""

import functools
import hashlib
import secrets

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy.orm import joinedload

from placement import clock
from placement.errors import BadRequest, NotFound, Unauthorized
from placement.extensions import db
from placement.models import Organisation, Region, Shelter, Token, User
from placement.models.account import ROLES
from placement.services import audit, login_limits


@functools.cache
def _hasher_for(time_cost, memory_cost):
    """Argon2id; the library's recommended parameters unless configured (tests go cheaper)."""
    if time_cost is None:
        return PasswordHasher()
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=1)


@functools.cache
def _dummy_hash(hasher):
    # Verified against when the username is unknown, so both paths cost the same.
    return hasher.hash("streha-timing-equaliser")


def _hasher():
    cost = current_app.config.get("PASSWORD_HASH_COST") or {}
    return _hasher_for(cost.get("time_cost"), cost.get("memory_cost"))
MIN_PASSWORD_LENGTH = 12


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(username, password, role, organisation=None, shelter_ids=(), region=None):
    """Create an account with the scope its role needs; raises BadRequest naming the field."""
    if role not in ROLES:
        raise BadRequest(f"role: must be one of {', '.join(ROLES)}", {"role": ["invalid"]})
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise BadRequest(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise BadRequest(f"username: {username!r} is taken", {"username": ["taken"]})
    user = User(
        username=username,
        password_hash=_hasher().hash(password),
        role=role,
        created_at=clock.now(),
    )
    _apply_scope(user, organisation, shelter_ids, region)
    db.session.add(user)
    db.session.flush()
    audit.record("user.create", "user", user.id, detail=role)
    return user


def _apply_scope(user, organisation, shelter_ids, region):
    if user.role == "case_manager":
        if not organisation:
            raise BadRequest("organisation: a case manager needs one")
        user.organisation = _organisation(organisation)
    if user.role == "shelter_manager":
        if not shelter_ids:
            raise BadRequest("shelter: a shelter manager needs at least one")
        user.shelters = [_shelter(ref) for ref in shelter_ids]
    if user.role == "regional_coordinator":
        if not region or not db.session.get(Region, region):
            raise BadRequest(f"region: {region!r} is not a region code")
        user.region_code = region


def _organisation(code):
    found = db.session.scalar(sa.select(Organisation).where(Organisation.code == code))
    if found is None:
        found = Organisation(code=code, name=code)
        db.session.add(found)
    return found


def _shelter(ref):
    """A shelter by numeric id or by code."""
    query = sa.select(Shelter).where(
        Shelter.id == int(ref) if str(ref).isdigit() else Shelter.code == str(ref)
    )
    shelter = db.session.scalar(query)
    if shelter is None:
        raise BadRequest(f"shelter: {ref!r} is not a shelter")
    return shelter


def set_password(username, password):
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise BadRequest(f"password: at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = _hasher().hash(password)
    revoke_all_tokens(user)
    audit.record("user.password_set", "user", user.id)
    return user


def set_disabled(username, disabled):
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}")
    user.disabled_at = clock.now() if disabled else None
    if disabled:
        revoke_all_tokens(user)
    audit.record("user.disable" if disabled else "user.enable", "user", user.id)
    return user


def revoke_all_tokens(user):
    db.session.execute(
        sa.update(Token)
        .where(Token.user_id == user.id, Token.revoked_at.is_(None))
        .values(revoked_at=clock.now())
    )


def login(username, password, address):
    """Check the password and issue a token; returns (user, token, expires_at), or None for a
    wrong password or a disabled account; raises TooManyRequests past a login limit.

    For the API and the sign-in page alike: `address` is the client's address. The attempt is
    recorded in the caller's transaction, which must commit it, failure included (and which holds
    the login limits' locks until it ends: see login_limits).
    """
    login_limits.guard(username, address)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    stored = user.password_hash if user else _dummy_hash(_hasher())
    ok = _verify(stored, password) and user is not None
    ok = ok and user.disabled_at is None
    login_limits.record(username, address, ok)
    if not ok:
        db.session.flush()
        # The typed username is not written: it may be a mistyped password.
        audit.record(
            "auth.login_failed",
            "user",
            user.id if user else None,
            outcome="failed",
            detail="disabled" if user and user.disabled_at else "bad_credentials",
        )
        return None
    token, row = issue_token(user)
    audit.record("auth.login", "token", row.id, actor=user)
    return user, token, row.expires_at


def _verify(password_hash, password):
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def issue_token(user):
    token = "st_" + secrets.token_urlsafe(32)
    moment = clock.now()
    row = Token(
        token_hash=hash_token(token),
        user_id=user.id,
        created_at=moment,
        last_used_at=moment,
        expires_at=moment + current_app.config["TOKEN_ABSOLUTE_TIMEOUT"],
    )
    db.session.add(row)
    db.session.flush()
    return token, row


def authenticate(token):
    """The live token row for a presented bearer token; Unauthorized otherwise.

    Its last use is written only when the stored one is TOKEN_TOUCH_INTERVAL old or older, so a
    read-only request usually writes nothing; the idle expiry is then early by less than that
    interval, never late.
    """
    # The token and its user in one statement: every authenticated request runs it.
    row = db.session.scalar(sa.select(Token).where(Token.token_hash == hash_token(token))
                            .options(joinedload(Token.user, innerjoin=True)))
    moment = clock.now()
    config = current_app.config
    idle = config["TOKEN_IDLE_TIMEOUT"]
    if (
        row is None
        or row.revoked_at is not None
        or moment >= row.expires_at
        or moment - row.last_used_at >= idle
        or row.user.disabled_at is not None
    ):
        raise Unauthorized("token is invalid or has expired")
    if moment - row.last_used_at >= config["TOKEN_TOUCH_INTERVAL"]:
        row.last_used_at = moment
    return row


def logout(token_row):
    token_row.revoked_at = clock.now()
    audit.record("auth.logout", "token", token_row.id, actor=token_row.user)


def list_users():
    """Every account with its last sign-in (its newest token), by username."""
    last = (sa.select(Token.user_id, sa.func.max(Token.created_at).label("at"))
            .group_by(Token.user_id).subquery())
    return db.session.execute(
        sa.select(User, last.c.at).outerjoin(last, last.c.user_id == User.id)
        .order_by(User.username)
    ).all()


def new_password():
    """A random password for an account an administrator creates or resets: shown once."""
    return secrets.token_urlsafe(12)
