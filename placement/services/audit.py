"""The audit log: record events in the caller's transaction, and verify the chain.

`record` queues an event on the session; the queue is written as the transaction commits
(a `before_commit` hook), so the event commits with the change it describes or not at all.
Writing last keeps the append lock (a PostgreSQL advisory lock; SQLite writers are serialised
by BEGIN IMMEDIATE already) the final lock a transaction takes and holds it only for the commit:
a transaction waiting for it never holds it, so it cannot join a deadlock with row locks.

Each row's hash is an HMAC-SHA256 (AUDIT_HMAC_KEY) over its canonical encoding, which includes
the previous row's hash; `audit_head` holds the last seq and hash, signed with the same key, so
a log cut short is told apart from one that simply ended.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Session

from placement import clock
from placement.extensions import db
from placement.models import AuditEvent, AuditHead
from placement.services.paging import page

GENESIS = "0" * 64
# Any fixed 64-bit number that no other advisory lock in Streha uses ("streha-a" in ASCII).
APPEND_LOCK = 0x7374726568612D61
_PENDING = "streha_audit_pending"
_DENIAL_RECORDED = "streha.audit_denial_recorded"
FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "detail",
    "request_id",
    "prev_hash",
)


class AuditKeyMissing(RuntimeError):
    """AUDIT_HMAC_KEY is not configured (`flask secrets init` writes one)."""


def record(action, object_type=None, object_id=None, outcome="ok", actor=None, detail=None):
    """Queue one audit event in the current transaction; it is written when that commits.

    `actor` defaults to the authenticated user of the request (None for the system).
    `object_id` and `detail` are ids and short codes, never personal data or free text.
    """
    if actor is None and has_request_context():
        actor = g.get("user")
    if outcome != "ok" and has_request_context():
        # Per request (environ), not g: g outlives a request when an app context wraps several.
        request.environ[_DENIAL_RECORDED] = True
    entry = {
        "actor_id": actor.id if actor is not None else None,
        "actor_role": actor.role if actor is not None else None,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id)[:64],
        "outcome": outcome,
        "detail": None if detail is None else str(detail)[:60],
        "request_id": g.get("request_id") if has_request_context() else None,
    }
    session = db.session()
    root = session.get_transaction() or session.begin()
    queued = session.info.setdefault(_PENDING, [])
    queued.append((root, entry))


def record_denial(status):
    """A 401, 403, 404 or 429 answered to a caller, unless the request recorded its own."""
    if request.environ.get(_DENIAL_RECORDED):
        return
    rule = request.url_rule
    object_id = next(iter((request.view_args or {}).values()), None)
    record(
        "access.denied",
        object_type=request.endpoint if rule is not None else None,
        object_id=object_id,
        outcome="denied",
        detail=f"{request.method} {status}",
    )


def _key():
    key = current_app.config.get("AUDIT_HMAC_KEY")
    if not key:
        raise AuditKeyMissing("AUDIT_HMAC_KEY is not set: run `flask secrets init`")
    return str(key).encode()


def _canonical(values):
    """The row as signed: a JSON array in FIELDS order, times to the microsecond."""
    ordered = [values[name] for name in FIELDS]
    ordered[1] = values["at"].isoformat(timespec="microseconds")
    return json.dumps(["audit-row-v1", *ordered], separators=(",", ":")).encode()


def row_hash(values, key=None):
    return hmac.new(key or _key(), _canonical(values), hashlib.sha256).hexdigest()


def head_signature(seq, last_hash, key=None):
    message = f"audit-head-v1|{seq}|{last_hash}".encode()
    return hmac.new(key or _key(), message, hashlib.sha256).hexdigest()


@event.listens_for(Session, "before_commit")
def _write_pending(session):
    queued = session.info.pop(_PENDING, None)
    if not queued:
        return
    root = session.get_transaction()
    entries = [entry for owner, entry in queued if owner is root]
    if entries:
        append(session, entries)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session, previous_transaction):
    # Events of a transaction that rolled back never happened.
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def _lock_head(session):
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(APPEND_LOCK)))


def append(session, entries):
    """Append `entries` after the current head, under the append lock, and move the head."""
    key = _key()
    _lock_head(session)
    head = session.execute(
        sa.select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)
    ).first()
    seq, last_hash = (head.seq, head.hash) if head else (0, GENESIS)
    moment = clock.now()
    rows = []
    for entry in entries:
        seq += 1
        values = {**entry, "seq": seq, "at": moment, "prev_hash": last_hash}
        last_hash = row_hash(values, key)
        rows.append({**values, "hash": last_hash})
    session.execute(sa.insert(AuditEvent), rows)
    head_values = {
        "seq": seq,
        "hash": last_hash,
        "signature": head_signature(seq, last_hash, key),
        "updated_at": moment,
    }
    if head:
        session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(**head_values))
    else:
        session.execute(sa.insert(AuditHead).values(id=1, **head_values))


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rows: int
    head_seq: int
    first_bad_seq: int | None = None
    problem: str | None = None

    def summary(self):
        if self.ok:
            return f"audit log intact: {self.rows} rows, head at seq {self.head_seq}"
        return f"audit log broken at seq {self.first_bad_seq}: {self.problem}"


def verify(batch=1000):
    """Walk the whole chain; the first row (or the head) that does not hold names the break."""
    key = _key()
    expected_seq, last_hash, count = 1, GENESIS, 0
    while True:
        # Keyset batches: bounded memory, and no server-side cursor left open on an early return.
        rows = db.session.execute(
            sa.select(*AuditEvent.__table__.columns)
            .where(AuditEvent.seq >= expected_seq)
            .order_by(AuditEvent.seq)
            .limit(batch)
        ).all()
        for row in rows:
            problem = _check_row(row, expected_seq, last_hash, key)
            if problem:
                return Verdict(False, count, expected_seq - 1, expected_seq, problem)
            expected_seq, last_hash, count = row.seq + 1, row.hash, count + 1
        if len(rows) < batch:
            return _check_head(count, expected_seq - 1, last_hash, key)


def _check_row(row, expected_seq, last_hash, key):
    values = {name: getattr(row, name) for name in FIELDS}
    if row.seq > expected_seq:
        return f"rows {expected_seq} to {row.seq - 1} are missing"
    if row.prev_hash != last_hash:
        return "does not follow the row before it (removed, reordered or inserted)"
    if not hmac.compare_digest(row.hash, row_hash(values, key)):
        return "its hash does not match its content (edited, or written without the key)"
    return None


def _check_head(count, last_seq, last_hash, key):
    head = db.session.get(AuditHead, 1, populate_existing=True)
    if head is None:
        if count == 0:
            return Verdict(True, 0, 0)
        return Verdict(False, count, last_seq, last_seq + 1, "the signed head is missing")
    signed = head_signature(head.seq, head.hash, key)
    if not hmac.compare_digest(head.signature, signed):
        return Verdict(False, count, last_seq, head.seq, "the head's signature does not match")
    if head.seq > last_seq:
        problem = f"the log ends at {last_seq} but its signed head is at {head.seq} (cut)"
        return Verdict(False, count, last_seq, last_seq + 1, problem)
    if head.seq < last_seq or head.hash != last_hash:
        return Verdict(
            False, count, last_seq, head.seq + 1, "rows after the signed head (written without it)"
        )
    return Verdict(True, count, last_seq)


def search(limit, offset, action=None, actor=None, outcome=None, since=None, until=None):
    """(rows newest first, total matching); the read itself is audited."""
    conditions = []
    if action:
        prefix = action.endswith(".")
        conditions.append(
            AuditEvent.action.startswith(action, autoescape=True)
            if prefix
            else AuditEvent.action == action
        )
    if actor is not None:
        conditions.append(AuditEvent.actor_id == actor)
    if outcome:
        conditions.append(AuditEvent.outcome == outcome)
    if since is not None:
        conditions.append(AuditEvent.at >= since)
    if until is not None:
        conditions.append(AuditEvent.at < until)
    rows, total = page(sa.select(AuditEvent).where(*conditions).order_by(AuditEvent.seq.desc()),
                       limit, offset)
    record("audit.read", detail=f"rows:{len(rows)}")
    return rows, total
