"""The audit log anchored outside the database: a rollback (newest rows deleted, an older signed
head put back) passes the chain check but not the anchor check."""

import json

import pytest

from placement import jobs
from placement.extensions import db
from placement.models import AuditEvent, AuditHead
from placement.services import audit, webhook
from placement.services.audit_verify import verify
from tests.placement.test_audit import tamper, write_events
from tests.placement.test_notifications import Receiver


def cli(app, *args):
    db.session.commit()
    return app.test_cli_runner().invoke(args=["audit", *args])


@pytest.fixture
def anchor_file(app, tmp_path):
    path = tmp_path / "anchors" / "streha-audit.jsonl"
    path.parent.mkdir()
    app.config["AUDIT_ANCHOR_FILE"] = str(path)
    return path


def _saved_head():
    head = db.session.get(AuditHead, 1, populate_existing=True)
    return {"position": head.position, "hash": head.hash, "signature": head.signature}


def test_a_rollback_behind_the_anchor_fails_verify(app, anchor_file):
    write_events(3)
    older = _saved_head()
    write_events(3)
    result = cli(app, "anchor")
    assert result.exit_code == 0 and "anchored seq 6" in result.output, result.output
    assert "matches the anchor" in cli(app, "verify").output

    tamper("DELETE FROM audit_events WHERE seq > 3")
    tamper("UPDATE audit_heads SET position = :position, hash = :hash, signature = :signature"
           " WHERE chain = 1", **older)
    assert verify().ok  # the chain and the signed head alone cannot tell
    result = cli(app, "verify")
    assert result.exit_code == 1
    assert "rolled back" in result.output and "chain 1 at position 6" in result.output


def test_a_rewritten_anchored_row_fails_verify(app, anchor_file):
    write_events(2)
    assert cli(app, "anchor").exit_code == 0
    # Rewritten with the key itself (a stolen key): the chain is consistent, the anchor is not.
    row = db.session.get(AuditEvent, 2)
    values = {**{name: getattr(row, name) for name in audit.FIELDS}, "action": "test.forged"}
    forged = audit.row_hash(values)
    tamper("UPDATE audit_events SET action = 'test.forged', hash = :h WHERE seq = 2", h=forged)
    chains = db.session.get(AuditHead, 1).chains
    tamper("UPDATE audit_heads SET hash = :h, signature = :s WHERE chain = 1", h=forged,
           s=audit.head_signature(1, 2, forged, chains))
    assert verify().ok
    result = cli(app, "verify")
    assert result.exit_code == 1 and "rewritten" in result.output


def test_verify_can_read_an_anchor_fetched_from_elsewhere(app, tmp_path):
    write_events(2)
    fetched = tmp_path / "fetched.jsonl"
    head = _saved_head()
    # In the form of anchors written before the log had chains: read as chain 1's head.
    legacy = {"seq": head["position"] + 5, "hash": head["hash"], "signature": head["signature"]}
    fetched.write_text(json.dumps({**legacy, "at": "2026-11-30T10:00:00"}))
    result = cli(app, "verify", "--anchor", str(fetched))
    # Not this install's signature: a forged anchor is no proof either way.
    assert result.exit_code == 1 and "signature" in result.output
    assert cli(app, "verify", "--anchor", str(tmp_path / "none.jsonl")).exit_code == 1


def test_the_job_appends_only_when_the_head_moved(app, anchor_file):
    write_events(2)
    assert jobs.run("anchor_audit_log").summary == "seq 2 to 1 destination(s)"
    assert jobs.run("anchor_audit_log").outcome == "ok"
    lines = anchor_file.read_text().splitlines()
    assert len(lines) == 1
    write_events(1)
    jobs.run("anchor_audit_log")
    assert [json.loads(line)["seq"] for line in anchor_file.read_text().splitlines()] == [2, 3]
    assert "matches the anchor" in cli(app, "verify").output


def test_the_anchor_can_go_to_a_url_signed(app):
    write_events(2)
    with Receiver([204]) as receiver:
        app.config["AUDIT_ANCHOR_URL"] = receiver.url
        result = cli(app, "anchor")
    assert result.exit_code == 0, result.output
    headers, body = receiver.received[0]
    assert json.loads(body)["seq"] == 2
    assert headers["X-Streha-Signature"] == webhook.sign(headers["X-Streha-Timestamp"], body)


def test_a_configured_anchor_file_that_is_gone_fails_verify(app, anchor_file):
    write_events(1)
    assert cli(app, "anchor").exit_code == 0
    anchor_file.unlink()
    result = cli(app, "verify")
    assert result.exit_code == 1 and "no anchor" in result.output


def test_with_no_destination_the_command_fails_and_the_job_says_so(app):
    write_events(1)
    result = cli(app, "anchor")
    assert result.exit_code == 1 and "AUDIT_ANCHOR_FILE" in result.output
    assert jobs.run("anchor_audit_log").summary == "no anchor destination configured"
