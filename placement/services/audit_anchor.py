"""Anchoring the audit log outside the database, so a rollback of it is detected.

The signed heads of the log's chains prove no chain was cut short, but someone with the
database can delete a chain's newest rows and put back an older head they saved, signature and
all. An anchor is a copy of every head (and, for people, the newest seq) kept where the database
host cannot write: appended as one JSON line to AUDIT_ANCHOR_FILE (a mount of another host, an
append-only file), or POSTed, signed like the notification webhook, to AUDIT_ANCHOR_URL.
`verify` then checks that every chain still reaches its anchored position and that the row there
is the one anchored. A line of the form before chains ({seq, hash, signature, at}) is read as
the head of chain 1.
"""

import hmac
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from placement import clock
from placement.extensions import db
from placement.models import AuditEvent, AuditHead
from placement.services import webhook
from placement.services.audit import LEGACY_CHAIN, head_signature


class AnchorError(RuntimeError):
    """No destination is configured, or the anchor could not be written or read."""


@dataclass(frozen=True)
class AnchoredHead:
    chain: int
    position: int
    hash: str
    chains: int | None
    signature: str


@dataclass(frozen=True)
class Anchor:
    seq: int
    at: str
    heads: tuple[AnchoredHead, ...]

    def line(self):
        body = {"seq": self.seq, "at": self.at, "heads": [asdict(head) for head in self.heads]}
        return json.dumps(body, separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_line(cls, line):
        """Raises ValueError or TypeError when the line is not an anchor."""
        body = json.loads(line)
        if "heads" not in body:
            legacy = AnchoredHead(LEGACY_CHAIN, body["seq"], body["hash"], None, body["signature"])
            return cls(body["seq"], body["at"], (legacy,))
        heads = tuple(AnchoredHead(**head) for head in body["heads"])
        return cls(int(body["seq"]), str(body["at"]), heads)

    def positions(self):
        return {(head.chain, head.position, head.hash) for head in self.heads}


def current():
    """The committed heads as an anchor (no heads before the first event)."""
    heads = db.session.execute(sa.select(AuditHead).order_by(AuditHead.chain)).scalars().all()
    newest = db.session.scalar(sa.select(sa.func.max(AuditEvent.seq))) or 0
    moment = clock.now().isoformat(timespec="seconds")
    anchored = tuple(AnchoredHead(head.chain, head.position, head.hash, head.chains, head.signature)
                     for head in heads)
    return Anchor(newest, moment, anchored)


def _file():
    configured = current_app.config.get("AUDIT_ANCHOR_FILE")
    return Path(configured) if configured else None


def _url():
    url = current_app.config.get("AUDIT_ANCHOR_URL")
    if url and urlsplit(url).scheme not in ("http", "https"):
        raise AnchorError("AUDIT_ANCHOR_URL must be an http(s) URL")
    return url or None


def configured():
    return _file() is not None or bool(current_app.config.get("AUDIT_ANCHOR_URL"))


def write():
    """Send the current head to every configured destination; returns (anchor, where).
    The file gets a line only when the head moved since its last one."""
    anchor, places = current(), []
    path, url = _file(), _url()
    if path is None and not url:
        raise AnchorError("no anchor destination: set AUDIT_ANCHOR_FILE or AUDIT_ANCHOR_URL")
    if path is not None:
        latest = latest_in(path)
        if latest is None or latest.positions() != anchor.positions():
            _append(path, anchor)
        places.append(str(path))
    if url:
        status = webhook.post_signed(url, anchor.line().encode(), "Streha-Audit-Anchor/1")
        if not webhook.delivered(status):
            raise AnchorError(f"the anchor URL answered {status}")
        places.append(url)
    return anchor, places


def _append(path, anchor):
    # One write of one line, flushed to disk: a crash leaves whole lines, at most a torn last one
    # (which latest_in skips).
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(anchor.line() + "\n")
        stream.flush()
        os.fsync(stream.fileno())


def latest_in(path):
    """The last well-formed anchor line of the file at `path`, or None (no file, no line)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise AnchorError(f"cannot read the anchor file: {type(error).__name__}") from None
    for line in reversed(lines):
        try:
            return Anchor.from_line(line)
        except (ValueError, TypeError, KeyError):
            continue
    return None


def problem_with(anchor):
    """Why the log in the database does not agree with `anchor`, or None when it does."""
    for head in anchor.heads:
        signed = head_signature(head.chain, head.position, head.hash, head.chains)
        if signed is None or not hmac.compare_digest(head.signature, signed):
            return "the anchor's signature does not match (not written with this install's key)"
    positions = dict(db.session.execute(
        sa.select(AuditHead.chain, AuditHead.position).execution_options(populate_existing=True)
    ).all())
    for head in anchor.heads:
        problem = _disagreement(head, positions.get(head.chain, 0), anchor.at)
        if problem:
            return problem
    return None


def _disagreement(head, position_now, at):
    if position_now < head.position:
        return (f"rolled back: the anchor of {at} has chain {head.chain} at position"
                f" {head.position}, the chain and its head end at position {position_now}")
    if head.position > 0:
        row_hash = db.session.scalar(sa.select(AuditEvent.hash).where(
            AuditEvent.chain == head.chain, AuditEvent.position == head.position))
        if row_hash is None or not hmac.compare_digest(row_hash, head.hash):
            return (f"the row at position {head.position} of chain {head.chain} is not the one"
                    f" anchored at {at} (rewritten)")
    return None
