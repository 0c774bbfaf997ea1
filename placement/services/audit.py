"""The audit log: record events in the caller's transaction, in chains that need no global lock.

`record` queues an event on the session; the queue is written as the transaction commits
(a `before_commit` hook), so the event commits with the change it describes or not at all.

The log is a few independent hash chains, not one. A committing transaction takes the head of
any chain no other transaction holds (PostgreSQL: `FOR UPDATE SKIP LOCKED` on the head rows;
SQLite writers are serialised by their write lock already and use chain 1), appends its events
there and moves that head. So up to CHAINS transactions commit side by side instead of queueing
behind one lock. Each chain is tamper-evident on its own as the single chain was: a row's hash is
an HMAC-SHA256 (AUDIT_HMAC_KEY) over its encoding, which names its chain, its position there, its
global seq and the previous row's hash; every chain's head holds its last position and hash,
signed with the same key, together with the number of chains the log has, so a chain deleted
whole (rows and head) is missed by the heads of the others. Edits, deletions, reordering,
insertions and cut tails are all found by audit_verify, chain by chain; only a rollback to an older
head someone saved needs an anchor outside the database (audit_anchor), as it always did.

Heads are taken last in the transaction, after its own rows are flushed, and one at most: a
transaction waiting for a head holds none, so it cannot join a deadlock through them.

On PostgreSQL an append is two statements written out once as SQL text (every read of case data
is audited, and building Core statements was most of what an audited read cost): one locks a
free head and numbers the rows, the other inserts the rows and moves the head together.
"""

import functools
import hashlib
import hmac
import json
import random

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from placement import clock
from placement.extensions import db, take_write_lock
from placement.models import AuditEvent, AuditHead
from placement.models.audit import AUDIT_SEQ
from placement.services.paging import page

GENESIS = "0" * 64
# Chains on PostgreSQL: more than the writers that commit at once (8 web workers and the jobs).
# SQLite runs one writer at a time, so one chain.
CHAINS = {"postgresql": 16}
LEGACY_CHAIN = 1
_PENDING = "streha_audit_pending"
_DENIAL_RECORDED = "streha.audit_denial_recorded"
FIELDS = (
    "seq",
    "chain",
    "position",
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


# Rows appended by one statement with the head's move on PostgreSQL (its bound parameters stay
# far below the 65,535 a statement may have); a larger append inserts them in batches first.
ROWS_IN_ONE_STATEMENT = 200
COLUMNS = (*FIELDS, "hash")
HEAD_COLUMNS = ("position", "hash", "chains", "signature", "updated_at")
# A free head locked and, only when there is one, `count` numbers of the sequence.
TAKE_FREE_HEAD = (
    f"WITH free_head AS (SELECT chain, position, hash, chains FROM {AuditHead.__tablename__}"
    " WHERE chain <= %(chains)s ORDER BY chain LIMIT 1 FOR UPDATE SKIP LOCKED)"
    " SELECT chain, position, hash, chains,"
    f" (SELECT array_agg(nextval('{AUDIT_SEQ.name}')) FROM generate_series(1, %(count)s))"
    " AS seqs FROM free_head"
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


def hmac_key():
    key = current_app.config.get("AUDIT_HMAC_KEY")
    if not key:
        raise AuditKeyMissing("AUDIT_HMAC_KEY is not set: run `flask secrets init`")
    return str(key).encode()


def _canonical(values):
    """The row as signed: a JSON array in FIELDS order, times to the microsecond."""
    ordered = [values[name] for name in FIELDS]
    ordered[FIELDS.index("at")] = values["at"].isoformat(timespec="microseconds")
    return json.dumps(["audit-row-v2", *ordered], separators=(",", ":")).encode()


def _canonical_v1(values):
    """A row written before the log had chains (all in chain 1, at position = seq)."""
    ordered = [values[name] for name in FIELDS if name not in ("chain", "position")]
    ordered[1] = values["at"].isoformat(timespec="microseconds")
    return json.dumps(["audit-row-v1", *ordered], separators=(",", ":")).encode()


def row_hash(values, key=None):
    return hmac.new(key or hmac_key(), _canonical(values), hashlib.sha256).hexdigest()


def row_holds(values, stored_hash, key):
    """Whether `stored_hash` is this row's HMAC: its own encoding, or for a row of the one chain
    the log had before chains, the encoding of that time."""
    if hmac.compare_digest(stored_hash, row_hash(values, key)):
        return True
    if values["chain"] != LEGACY_CHAIN or values["position"] != values["seq"]:
        return False
    legacy = hmac.new(key, _canonical_v1(values), hashlib.sha256).hexdigest()
    return hmac.compare_digest(stored_hash, legacy)


def head_signature(chain, position, last_hash, chains, key=None):
    """The signature of a chain's head; `chains` None is the form of a head signed before the
    log had chains (chain 1 only), kept so an upgraded log still verifies."""
    if chains is None:
        message = f"audit-head-v1|{position}|{last_hash}" if chain == LEGACY_CHAIN else None
    else:
        message = f"audit-head-v2|{chain}|{chains}|{position}|{last_hash}"
    if message is None:
        return None
    return hmac.new(key or hmac_key(), message.encode(), hashlib.sha256).hexdigest()


def chain_count(dialect_name):
    return CHAINS.get(dialect_name, 1)


@event.listens_for(Session, "before_commit")
def _write_pending(session):
    queued = session.info.pop(_PENDING, None)
    if not queued:
        return
    root = session.get_transaction()
    entries = [entry for owner, entry in queued if owner is root]
    if entries:
        # The transaction's own rows first, so the head is the last lock it takes.
        session.flush()
        append(session, entries)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session, previous_transaction):
    # Events of a transaction that rolled back never happened.
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def append(session, entries):
    """Append `entries` to a chain no other transaction holds, and move that chain's head."""
    # Core statements on the session's connection: the ORM's per-statement work would be most
    # of what an audited commit costs the web worker.
    connection = session.connection()
    key, chains = hmac_key(), chain_count(connection.dialect.name)
    take_write_lock(connection)
    head, seqs = _take_head(connection, chains, key, len(entries))
    seqs = seqs or _next_seqs(connection, len(entries))
    position, last_hash, moment = head.position, head.hash, clock.now()
    rows = []
    for seq, entry in zip(seqs, entries, strict=True):
        position += 1
        values = {**entry, "seq": seq, "chain": head.chain, "position": position, "at": moment,
                  "prev_hash": last_hash}
        last_hash = row_hash(values, key)
        rows.append({**values, "hash": last_hash})
    moved = {"position": position, "hash": last_hash, "chains": chains, "updated_at": moment,
             "signature": head_signature(head.chain, position, last_hash, chains, key)}
    if connection.dialect.name == "postgresql":
        _write_postgresql(connection, head.chain, rows, moved)
    else:
        connection.execute(INSERT_ROWS, rows)
        connection.execute(MOVE_HEAD, {**moved, "head_chain": head.chain})


def _write_postgresql(connection, chain, rows, moved):
    """The rows and the head's move in one statement (the last rows of a large append)."""
    while len(rows) > ROWS_IN_ONE_STATEMENT:
        batch, rows = rows[:ROWS_IN_ONE_STATEMENT], rows[ROWS_IN_ONE_STATEMENT:]
        connection.exec_driver_sql(_insert_rows(len(batch)), _row_parameters(batch))
    parameters = (*_row_parameters(rows), *(moved[name] for name in HEAD_COLUMNS), chain)
    connection.exec_driver_sql(_append_and_move_head(len(rows)), parameters)


def _row_parameters(rows):
    return tuple(row[name] for row in rows for name in COLUMNS)


@functools.lru_cache(maxsize=16)
def _insert_rows(count):
    row = f"({', '.join(['%s'] * len(COLUMNS))})"
    return (f"INSERT INTO {AuditEvent.__tablename__} ({', '.join(COLUMNS)})"
            f" VALUES {', '.join([row] * count)}")


@functools.lru_cache(maxsize=16)
def _append_and_move_head(count):
    # A data-modifying WITH runs to completion whether or not the UPDATE reads it.
    moves = ", ".join(f"{name} = %s" for name in HEAD_COLUMNS)
    return (f"WITH appended AS ({_insert_rows(count)})"
            f" UPDATE {AuditHead.__tablename__} SET {moves} WHERE chain = %s")


# SQLite's statements (and PostgreSQL's when it waits for a head), built once: building them
# again for each commit cost more than running them.
FREE_HEAD = (
    sa.select(AuditHead.chain, AuditHead.position, AuditHead.hash, AuditHead.chains)
    .where(AuditHead.chain <= sa.bindparam("chains")).order_by(AuditHead.chain).limit(1)
    .with_for_update(skip_locked=True))
LAST_SEQ = sa.select(sa.func.max(AuditEvent.seq))
INSERT_ROWS = sa.insert(AuditEvent)
# The SET clause is the parameters' columns: position, hash, chains, signature, updated_at.
MOVE_HEAD = sa.update(AuditHead).where(AuditHead.chain == sa.bindparam("head_chain"))


def _take_head(connection, chains, key, count):
    """(a chain's head, locked for this transaction: a free one, else wait for one at random;
    on PostgreSQL, when a free head was there at once, the `count` seqs of the rows, taken in
    the same statement, else None)."""
    seqs = None
    if connection.dialect.name == "postgresql":
        head = connection.exec_driver_sql(TAKE_FREE_HEAD,
                                          {"chains": chains, "count": count}).first()
        seqs = head and sorted(head.seqs)
    else:
        head = connection.execute(FREE_HEAD, {"chains": chains}).first()
    if head is not None and head.chains == chains:
        return head, seqs
    # The first append ever, the first since an upgrade (one head, signed before chains), or
    # every chain busy: make sure every chain has its head before any head vouches for them.
    if _add_missing_heads(connection, chains, key) and head is None:
        head = connection.execute(FREE_HEAD, {"chains": chains}).first()
        seqs = None
    if head is not None:
        return head, seqs
    busy = (sa.select(AuditHead.chain, AuditHead.position, AuditHead.hash, AuditHead.chains)
            .where(AuditHead.chain == random.randint(1, chains)).with_for_update())
    return connection.execute(busy).one(), None


def _add_missing_heads(connection, chains, key):
    present = set(connection.scalars(sa.select(AuditHead.chain)))
    missing = [chain for chain in range(1, chains + 1) if chain not in present]
    if not missing:
        return False
    moment = clock.now()
    rows = [{"chain": chain, "position": 0, "hash": GENESIS, "chains": chains, "updated_at": moment,
             "signature": head_signature(chain, 0, GENESIS, chains, key)} for chain in missing]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    # Another transaction adding them at the same moment: its rows win, ours are skipped.
    connection.execute(dialect.insert(AuditHead).values(rows).on_conflict_do_nothing())
    return True


def _next_seqs(connection, count):
    if connection.dialect.name == "postgresql":
        numbers = sa.select(AUDIT_SEQ.next_value()).select_from(sa.func.generate_series(1, count))
        return sorted(connection.scalars(numbers))
    # SQLite: this transaction holds the write lock, so max + 1 is ours.
    last = connection.scalar(LAST_SEQ) or 0
    return list(range(last + 1, last + 1 + count))


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
