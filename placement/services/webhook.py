"""Webhook delivery of the outbox: claim due deliveries, POST them signed, record what happened.

Claiming and recording are short transactions; the POSTs happen between them, outside any
transaction, because on SQLite an open transaction holds the database's write lock. A claim pushes
next_attempt_at one lease ahead, so a delivery whose sender died is simply tried again later.

The body is signed: X-Streha-Signature is `sha256=` + HMAC-SHA256(secret, timestamp + "." + body),
with the timestamp in X-Streha-Timestamp; the secret is NOTIFY_WEBHOOK_SECRET, or one derived from
SECRET_KEY when that is not set.
"""

import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from placement import clock
from placement.extensions import db
from placement.models import Notification, NotificationDelivery

log = logging.getLogger(__name__)

DEFAULTS = {
    "NOTIFY_BATCH": 50,
    "NOTIFY_TIMEOUT_SECONDS": 5,
    "NOTIFY_MAX_ATTEMPTS": 8,
    "NOTIFY_BACKOFF_SECONDS": 30,
    "NOTIFY_MAX_BACKOFF_SECONDS": 3600,
}


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    notification_id: int
    attempt: int
    body: bytes


def _setting(name):
    return current_app.config.get(name, DEFAULTS[name])


def webhook_url():
    """The configured URL when it is an http(s) one, else None."""
    url = current_app.config.get("NOTIFY_WEBHOOK_URL")
    if url and urlsplit(url).scheme in ("http", "https"):
        return url
    return None


def webhook_secret():
    configured = current_app.config.get("NOTIFY_WEBHOOK_SECRET")
    if configured:
        return str(configured).encode()
    base = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(base, b"streha-webhook-v1", hashlib.sha256).digest()


def sign(timestamp, body, secret=None):
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret or webhook_secret(), message, hashlib.sha256).hexdigest()


def backoff(attempt):
    """Wait after the `attempt`-th failure: base, doubling, capped."""
    seconds = _setting("NOTIFY_BACKOFF_SECONDS") * 2 ** max(attempt - 1, 0)
    return timedelta(seconds=min(seconds, _setting("NOTIFY_MAX_BACKOFF_SECONDS")))


def claim_due():
    """Take the due deliveries (oldest first), count the attempt, lease them; flushes."""
    moment = clock.now()
    lease = timedelta(seconds=4 * _setting("NOTIFY_TIMEOUT_SECONDS") + 60)
    rows = db.session.execute(
        sa.select(NotificationDelivery, Notification)
        .join(Notification, Notification.id == NotificationDelivery.notification_id)
        .where(
            NotificationDelivery.delivered_at.is_(None),
            NotificationDelivery.gave_up_at.is_(None),
            NotificationDelivery.next_attempt_at <= moment,
        )
        .order_by(NotificationDelivery.next_attempt_at, NotificationDelivery.id)
        .limit(_setting("NOTIFY_BATCH"))
    ).all()
    claims = []
    for delivery, notification in rows:
        delivery.attempts += 1
        delivery.next_attempt_at = moment + lease
        claims.append(Claim(delivery.id, notification.id, delivery.attempts, _body(notification)))
    db.session.flush()
    return claims


def _body(notification):
    document = {
        "id": notification.id,
        "kind": notification.kind,
        "recipient_id": notification.user_id,
        "payload": notification.payload,
        "created_at": notification.created_at.isoformat(timespec="seconds") + "Z",
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer we do not follow: the body goes to the configured URL only."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(url, claim):
    """POST one claim; returns a status text: 'http 204', 'timeout' or 'unreachable'."""
    return post_signed(url, claim.body, "Streha-Webhook/1",
                       {"X-Streha-Delivery": str(claim.delivery_id)})


def post_signed(url, body, agent, headers=None):
    """POST a JSON body signed as above; returns 'http 204', 'timeout' or 'unreachable'."""
    timestamp = int(clock.now().replace(tzinfo=UTC).timestamp())
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": agent,
            **(headers or {}),
            "X-Streha-Timestamp": str(timestamp),
            "X-Streha-Signature": sign(timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=_setting("NOTIFY_TIMEOUT_SECONDS")) as response:
            return f"http {response.status}"
    except urllib.error.HTTPError as error:
        error.close()
        return f"http {error.code}"
    except urllib.error.URLError as error:
        return "timeout" if isinstance(error.reason, TimeoutError) else "unreachable"
    except TimeoutError:
        return "timeout"
    except OSError:
        return "unreachable"


def delivered(status):
    return status.startswith("http 2")


def record_results(results):
    """Apply [(claim, status)]: delivered, retried after a backoff, or given up; flushes."""
    moment = clock.now()
    limit = _setting("NOTIFY_MAX_ATTEMPTS")
    counts = {"delivered": 0, "retry": 0, "gave_up": 0}
    for claim, status in results:
        delivery = db.session.get(NotificationDelivery, claim.delivery_id)
        delivery.last_status = status
        if delivered(status):
            delivery.delivered_at, outcome = moment, "delivered"
        elif claim.attempt >= limit:
            delivery.gave_up_at, outcome = moment, "gave_up"
        else:
            delivery.next_attempt_at, outcome = moment + backoff(claim.attempt), "retry"
        counts[outcome] += 1
        if outcome != "delivered":
            log.warning(
                "webhook delivery %s of notification %s: %s (attempt %s, %s)",
                claim.delivery_id,
                claim.notification_id,
                status,
                claim.attempt,
                outcome,
            )
    db.session.flush()
    return counts
