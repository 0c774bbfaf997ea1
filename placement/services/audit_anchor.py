"""Anchoring the audit log outside the database, so a rollback of it is detected.

The signed head (seq, hash, signature) proves a log was not cut short, but someone with the
database can delete the newest rows and put back an older head they saved, signature and all.
An anchor is a copy of the head kept where the database host cannot write: appended as one JSON
line to AUDIT_ANCHOR_FILE (a mount of another host, an append-only file), or POSTed, signed like
the notification webhook, to AUDIT_ANCHOR_URL. `verify` then checks that the log still reaches
the latest anchor and that the row at the anchor's seq is the one anchored.
"""

import hmac
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from placement import clock
from placement.extensions import db
from placement.models import AuditEvent, AuditHead
from placement.services import webhook
from placement.services.audit import GENESIS, head_signature


class AnchorError(RuntimeError):
    """No destination is configured, or the anchor could not be written or read."""


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    signature: str
    at: str

    def line(self):
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)


def current():
    """The committed head as an anchor (seq 0 before the first event)."""
    head = db.session.get(AuditHead, 1, populate_existing=True)
    moment = clock.now().isoformat(timespec="seconds")
    if head is None:
        return Anchor(0, GENESIS, head_signature(0, GENESIS), moment)
    return Anchor(head.seq, head.hash, head.signature, moment)


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
        if latest is None or (latest.seq, latest.hash) != (anchor.seq, anchor.hash):
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
            return Anchor(**json.loads(line))
        except (ValueError, TypeError):
            continue
    return None


def problem_with(anchor):
    """Why the log in the database does not agree with `anchor`, or None when it does."""
    if not hmac.compare_digest(anchor.signature, head_signature(anchor.seq, anchor.hash)):
        return "the anchor's signature does not match (not written with this install's key)"
    head = db.session.get(AuditHead, 1, populate_existing=True)
    head_seq = head.seq if head else 0
    if head_seq < anchor.seq:
        return (f"rolled back: the anchor of {anchor.at} is at seq {anchor.seq}, the log and its"
                f" head end at seq {head_seq}")
    if anchor.seq > 0:
        row = db.session.get(AuditEvent, anchor.seq, populate_existing=True)
        if row is None or not hmac.compare_digest(row.hash, anchor.hash):
            return f"the row at seq {anchor.seq} is not the one anchored at {anchor.at} (rewritten)"
    return None
