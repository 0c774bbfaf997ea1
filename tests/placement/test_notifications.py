"""The notification outbox: recipients, the API, and signed webhook delivery with retries."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from flask import g

from placement import clock, jobs
from placement.extensions import db
from placement.models import Notification, NotificationDelivery, Organisation
from placement.services import notifications, webhook


@pytest.fixture
def client(app):
    """Requests that do not inherit the previous request's user (see test_audit.client)."""

    class FreshClient(app.test_client_class):
        def open(self, *args, **kwargs):
            for name in ("user", "token_row"):
                g.pop(name, None)
            return super().open(*args, **kwargs)

    return FreshClient(app, app.response_class, use_cookies=True)


class Receiver:
    """A webhook endpoint on 127.0.0.1 that answers with the statuses it is given, in turn."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}/hook?token=t"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


def organisation_id(code):
    return db.session.scalar(sa.select(Organisation.id).where(Organisation.code == code))


def test_recipients_by_shelter_and_by_organisation(app, make_user, network):
    manager = make_user("shelter_manager", shelters=["dv-prishtine"])
    make_user("shelter_manager", shelters=["thb-drita"])
    case_a = make_user("case_manager", organisation="org-a")
    make_user("case_manager", organisation="org-b")
    made = notifications.notify_shelter_managers(
        network["dv-prishtine"], "hold.created", {"hold_id": 7, "shelter_id": 4}
    )
    assert [n.user_id for n in made] == [manager.user_id]
    made = notifications.notify_organisation(
        organisation_id("org-a"), "hold.accepted", {"hold_id": 7, "expires_at": clock.now()}
    )
    assert [n.user_id for n in made] == [case_a.user_id]
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 2


@pytest.mark.parametrize(
    "payload",
    [
        {"name": "Arta"},
        {"hold_id": "two words"},
        {"reason_code": "x" * 65},
        {"lat": 42.66},
        {"note_code": {"nested": 1}},
    ],
)
def test_a_payload_carries_ids_and_codes_only(app, make_user, payload):
    user = make_user("admin")
    with pytest.raises(notifications.UnsafePayload):
        notifications.notify_users([user.user_id], "hold.created", payload)


def test_an_unknown_kind_is_refused(app, make_user):
    user = make_user("admin")
    with pytest.raises(notifications.UnsafePayload):
        notifications.notify_users([user.user_id], "hold.exploded", {})


def test_each_user_sees_and_marks_only_their_own(app, client, make_user):
    alice, bob = make_user("admin"), make_user("national_coordinator")
    for n in range(3):
        notifications.notify_users([alice.user_id], "hold.created", {"hold_id": n})
    (theirs,) = notifications.notify_users([bob.user_id], "hold.declined", {"hold_id": 9})
    db.session.commit()
    listed = client.get("/api/v1/notifications?limit=2", headers=alice.headers)
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "3"
    first = listed.get_json()[0]
    assert first["payload"] == {"hold_id": 2} and first["read_at"] is None
    url = f"/api/v1/notifications/{first['id']}/read"
    marked = client.post(url, headers=alice.headers)
    assert marked.status_code == 200 and marked.get_json()["read_at"]
    assert client.post(url, headers=alice.headers).get_json() == marked.get_json()
    unread = client.get("/api/v1/notifications?unread=true", headers=alice.headers).get_json()
    assert [n["payload"]["hold_id"] for n in unread] == [1, 0]
    read = client.get("/api/v1/notifications?unread=false", headers=alice.headers).get_json()
    assert [n["id"] for n in read] == [first["id"]]
    other = client.post(f"/api/v1/notifications/{theirs.id}/read", headers=alice.headers)
    assert other.status_code == 404
    assert client.get("/api/v1/notifications").status_code == 401


def webhook_app(app, url, **settings):
    app.config.update(NOTIFY_WEBHOOK_URL=url, NOTIFY_WEBHOOK_SECRET="hook-secret", **settings)


def delivery_of(notification_id):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(NotificationDelivery).where(
            NotificationDelivery.notification_id == notification_id
        )
    )


def test_no_delivery_rows_without_a_webhook(app, make_user):
    user = make_user("admin")
    notifications.notify_users([user.user_id], "hold.created", {"hold_id": 1})
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationDelivery)) == 0
    assert jobs.run("deliver_notifications").summary == "no webhook configured"


def test_delivery_posts_signed_json(app, make_user):
    user = make_user("admin")
    with Receiver([200]) as receiver:
        webhook_app(app, receiver.url)
        (made,) = notifications.notify_users([user.user_id], "hold.created", {"hold_id": 5})
        db.session.commit()
        result = jobs.run("deliver_notifications")
    assert (result.outcome, result.summary) == ("ok", "delivered 1, retry 0, gave up 0")
    ((headers, body),) = receiver.received
    document = json.loads(body)
    assert document["kind"] == "hold.created" and document["payload"] == {"hold_id": 5}
    assert document["recipient_id"] == user.user_id
    signed = headers["X-Streha-Timestamp"].encode() + b"." + body
    expected = hmac.new(b"hook-secret", signed, hashlib.sha256).hexdigest()
    assert headers["X-Streha-Signature"] == f"sha256={expected}"
    delivery = delivery_of(made.id)
    assert delivery.delivered_at is not None and delivery.last_status == "http 200"


def test_a_failing_endpoint_is_retried_with_backoff_until_it_succeeds(app, make_user):
    user = make_user("admin")
    with Receiver([500, 503, 200]) as receiver:
        webhook_app(app, receiver.url, NOTIFY_BACKOFF_SECONDS=30)
        (made,) = notifications.notify_users([user.user_id], "hold.expired", {"hold_id": 3})
        db.session.commit()
        assert jobs.run("deliver_notifications").summary == "delivered 0, retry 1, gave up 0"
        delivery = delivery_of(made.id)
        assert (delivery.attempts, delivery.last_status) == (1, "http 500")
        first_wait = delivery.next_attempt_at - clock.now()
        assert timedelta(seconds=25) < first_wait <= timedelta(seconds=30)
        # Not due yet: nothing is sent.
        assert jobs.run("deliver_notifications").summary == "delivered 0, retry 0, gave up 0"
        clock.set_offset(timedelta(seconds=31))
        jobs.run("deliver_notifications")
        delivery = delivery_of(made.id)
        assert (delivery.attempts, delivery.last_status) == (2, "http 503")
        second_wait = delivery.next_attempt_at - clock.now()
        assert timedelta(seconds=55) < second_wait <= timedelta(seconds=60)
        clock.set_offset(timedelta(seconds=31 + 61))
        assert jobs.run("deliver_notifications").summary == "delivered 1, retry 0, gave up 0"
    assert len(receiver.received) == 3
    delivery = delivery_of(made.id)
    assert delivery.delivered_at is not None and delivery.attempts == 3


def test_delivery_gives_up_after_the_attempt_cap(app, make_user):
    user = make_user("admin")
    with Receiver([500] * 10) as receiver:
        webhook_app(app, receiver.url, NOTIFY_MAX_ATTEMPTS=3, NOTIFY_BACKOFF_SECONDS=10)
        (made,) = notifications.notify_users([user.user_id], "hold.created", {"hold_id": 1})
        db.session.commit()
        for step in range(5):
            clock.set_offset(timedelta(hours=step))
            jobs.run("deliver_notifications")
    assert len(receiver.received) == 3
    delivery = delivery_of(made.id)
    assert delivery.gave_up_at is not None and delivery.delivered_at is None


def test_an_unreachable_endpoint_is_a_retry_not_an_error(app, make_user):
    with Receiver([]) as receiver:
        url = receiver.url
    user = make_user("admin")
    webhook_app(app, url, NOTIFY_TIMEOUT_SECONDS=2)
    (made,) = notifications.notify_users([user.user_id], "hold.created", {"hold_id": 1})
    db.session.commit()
    assert jobs.run("deliver_notifications").outcome == "ok"
    assert delivery_of(made.id).last_status == "unreachable"


def test_backoff_doubles_and_is_capped(app):
    app.config.update(NOTIFY_BACKOFF_SECONDS=30, NOTIFY_MAX_BACKOFF_SECONDS=100)
    assert [webhook.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
