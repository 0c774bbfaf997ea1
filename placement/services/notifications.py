"""The notification outbox: who learns what, in the caller's transaction; read and mark read.

A payload holds ids, codes and times only (a check refuses anything else), because a notification
may leave the service through the webhook. Webhook delivery itself is in services/webhook.py.
"""

import re
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from placement import clock
from placement.errors import NotFound
from placement.extensions import db
from placement.models import Notification, NotificationDelivery, User, user_shelters
from placement.services import audit
from placement.services.paging import page

KINDS = (
    "hold.created",
    "hold.accepted",
    "hold.declined",
    "hold.expired",
    "hold.cancelled",
    "shelter.stale",
    "stay.reflection_period",
    "stay.planned_departure",
)
# ids (hold_id), codes (reason_code, case_code), times (expires_at), and two plain states.
_KEY = re.compile(r"^[a-z][a-z_]{0,39}(_id|_code|_at)$|^(status|freshness)$")
_CODE = re.compile(r"^[A-Za-z0-9_.:+-]{1,64}$")


class UnsafePayload(ValueError):
    """A payload carried something other than ids and codes (a programming error)."""


def check_payload(payload):
    """Return a JSON-ready copy of `payload`, or raise UnsafePayload naming the key at fault."""
    clean = {}
    for key, value in (payload or {}).items():
        if not _KEY.match(str(key)):
            raise UnsafePayload(f"payload key {key!r}: only *_id, *_code, *_at, status, freshness")
        if isinstance(value, datetime):
            value = value.isoformat(timespec="seconds")
        plain = value is None or isinstance(value, bool | int)
        if not plain and not (isinstance(value, str) and _CODE.match(value)):
            raise UnsafePayload(f"payload key {key!r}: a value must be an id, a code or a time")
        clean[key] = value
    return clean


def notify_users(user_ids, kind, payload):
    """One notification per user (disabled accounts skipped); returns them, flushed."""
    if kind not in KINDS:
        raise UnsafePayload(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    clean = check_payload(payload)
    ids = sorted(set(user_ids))
    if not ids:
        return []
    live = db.session.scalars(
        sa.select(User.id).where(User.id.in_(ids), User.disabled_at.is_(None))
    ).all()
    moment = clock.now()
    webhook = bool(current_app.config.get("NOTIFY_WEBHOOK_URL"))
    created = []
    for user_id in live:
        notification = Notification(user_id=user_id, kind=kind, payload=clean, created_at=moment)
        if webhook:
            notification.delivery = NotificationDelivery(attempts=0, next_attempt_at=moment)
        db.session.add(notification)
        created.append(notification)
    db.session.flush()
    return created


def notify_shelter_managers(shelter_id, kind, payload):
    """The shelter managers whose scope includes the shelter."""
    managers = db.session.scalars(
        sa.select(User.id)
        .join(user_shelters, user_shelters.c.user_id == User.id)
        .where(user_shelters.c.shelter_id == shelter_id, User.role == "shelter_manager")
    ).all()
    return notify_users(managers, kind, payload)


def notify_organisation(organisation_id, kind, payload):
    """The case managers of an organisation."""
    case_managers = db.session.scalars(
        sa.select(User.id).where(
            User.organisation_id == organisation_id, User.role == "case_manager"
        )
    ).all()
    return notify_users(case_managers, kind, payload)


def list_for(user, limit, offset, unread=None):
    """(the user's notifications newest first, total matching)."""
    conditions = [Notification.user_id == user.id]
    if unread is True:
        conditions.append(Notification.read_at.is_(None))
    elif unread is False:
        conditions.append(Notification.read_at.is_not(None))
    return page(sa.select(Notification).where(*conditions).order_by(Notification.id.desc()),
                limit, offset)


def mark_read(user, notification_id):
    """Mark one of the user's notifications read; another's reads as absent. Idempotent."""
    notification = db.session.scalar(
        sa.select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user.id
        )
    )
    if notification is None:
        raise NotFound(f"no notification {notification_id}")
    if notification.read_at is None:
        notification.read_at = clock.now()
        audit.record("notification.read", "notification", notification.id, actor=user)
    return notification
