"""Checking the audit log: every chain walked in one consistent snapshot, the first break named.

What each check catches (see services/audit for the chains): a row's HMAC, an edited or forged
row; its position, a deleted row; its previous hash, a row removed, moved or inserted; the
chain's signed head, a cut tail or rows written after it; the number of chains the heads vouch
for, a chain deleted whole.
"""

import hmac
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from placement.extensions import db
from placement.models import AuditEvent, AuditHead
from placement.services.audit import FIELDS, GENESIS, head_signature, hmac_key, row_holds


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rows: int
    chains: int
    # The newest row's seq (0 for an empty log).
    head_seq: int
    chain: int | None = None
    position: int | None = None
    problem: str | None = None

    def summary(self):
        if self.ok:
            return (f"audit log intact: {self.rows} rows in {self.chains} chain(s), newest seq"
                    f" {self.head_seq}")
        return f"audit log broken in chain {self.chain} at position {self.position}: {self.problem}"


class _Break(Exception):
    def __init__(self, chain, position, problem):
        super().__init__(problem)
        self.chain, self.position, self.problem = chain, position, problem


def verify(batch=1000):
    """Walk every chain; the first row (or head) that does not hold names the break."""
    key = hmac_key()
    with _snapshot() as connection:
        heads = {row.chain: row for row in connection.execute(sa.select(AuditHead.__table__))}
        in_rows = set(connection.scalars(sa.select(AuditEvent.chain).distinct()))
        newest = connection.scalar(sa.select(sa.func.max(AuditEvent.seq))) or 0
        try:
            vouched = _check_heads(heads, key)
            chains = sorted(set(heads) | in_rows | set(range(1, vouched + 1)))
            rows = sum(_walk(connection, chain, heads.get(chain), batch, key) for chain in chains)
        except _Break as found:
            return Verdict(False, 0, len(heads), newest, found.chain, found.position,
                           found.problem)
    return Verdict(True, rows, len(chains), newest)


@contextmanager
def _snapshot():
    """A connection of its own reading one consistent state of the log, with no write lock:
    REPEATABLE READ on PostgreSQL, a deferred (read) transaction on SQLite."""
    options = {"streha_read_only": True}
    if db.engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with db.engine.connect() as connection:
        connection.execution_options(**options)
        with connection.begin():
            yield connection


def _check_heads(heads, key):
    """Every head's signature; returns how many chains the heads vouch for."""
    for chain in sorted(heads):
        head = heads[chain]
        signed = head_signature(chain, head.position, head.hash, head.chains, key)
        if signed is None or not hmac.compare_digest(head.signature, signed):
            raise _Break(chain, head.position, "the head's signature does not match")
    return max((head.chains or 1 for head in heads.values()), default=0)


def _walk(connection, chain, head, batch, key):
    """Check one chain's rows and its head; returns how many rows it has."""
    expected, last_hash = 1, GENESIS
    # From the chain's lowest position, whatever it is: a row inserted at position 0 or below
    # must be met (and refused), not skipped by a lower bound.
    after = None
    while True:
        # Keyset batches: bounded memory, and no cursor left open on an early return.
        query = sa.select(*AuditEvent.__table__.columns).where(AuditEvent.chain == chain)
        if after is not None:
            query = query.where(AuditEvent.position > after)
        rows = connection.execute(query.order_by(AuditEvent.position).limit(batch)).all()
        for row in rows:
            problem = _check_row(row, expected, last_hash, key)
            if problem:
                raise _Break(chain, expected, problem)
            expected, last_hash = row.position + 1, row.hash
        if len(rows) < batch:
            break
        after = expected - 1
    _check_head(chain, head, expected - 1, last_hash)
    return expected - 1


def _check_row(row, expected, last_hash, key):
    if row.position < expected:
        return f"a row at position {row.position}, before the chain's first (inserted)"
    if row.position > expected:
        return f"positions {expected} to {row.position - 1} are missing"
    if row.prev_hash != last_hash:
        return "does not follow the row before it (removed, reordered or inserted)"
    if not row_holds({name: getattr(row, name) for name in FIELDS}, row.hash, key):
        return "its hash does not match its content (edited, or written without the key)"
    return None


def _check_head(chain, head, last_position, last_hash):
    if head is None:
        raise _Break(chain, last_position + 1, "the signed head is missing")
    if head.position > last_position:
        raise _Break(chain, last_position + 1,
                     f"the chain ends at {last_position} but its signed head is at"
                     f" {head.position} (cut)")
    if head.position < last_position or head.hash != last_hash:
        raise _Break(chain, head.position + 1, "rows after the signed head (written without it)")

