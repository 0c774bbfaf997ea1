"""Flask commands: secrets, the network file, the policy, accounts, demo logins, audit, jobs,
scheduler, worker."""

import json
import logging
import os
import secrets
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from marshmallow import ValidationError

from placement.crypto import key_ring, new_key
from placement.errors import DomainError
from placement.extensions import db
from placement.models import Shelter, User
from placement.models.account import ROLES
from placement.services import accounts, audit_anchor, policy
from placement.services.audit_verify import verify as verify_audit_log
from placement.services.network import LOCATION_PURPOSE, default_network, load_network
from placement.services.network_file import NetworkError, flatten_errors

secrets_cli = AppGroup("secrets", help="Keys for sessions, encryption at rest and the audit chain.")
network_cli = AppGroup("network", help="The shelter network.")
policy_cli = AppGroup("policy", help="The placement policy, stored with its history.")
users_cli = AppGroup("users", help="Accounts and roles.")
demo_cli = AppGroup("demo", help="Demo set-up for a local install.")
audit_cli = AppGroup("audit", help="The hash-chained audit log.")
jobs_cli = AppGroup("jobs", help="Scheduled jobs, one at a time.")
scheduler_cli = AppGroup("scheduler", help="The scheduler process.")
worker_cli = AppGroup("worker", help="The optimizer run worker process.")


def register_commands(app):
    for group in (
        secrets_cli,
        network_cli,
        policy_cli,
        users_cli,
        demo_cli,
        audit_cli,
        jobs_cli,
        scheduler_cli,
        worker_cli,
    ):
        app.cli.add_command(group)


def _commit_or_fail(action):
    """Run `action` in one transaction; a domain error rolls back and exits 1 with its message."""
    try:
        result = action()
        db.session.commit()
        return result
    except (DomainError, NetworkError) as error:
        db.session.rollback()
        raise click.ClickException(getattr(error, "message", None) or str(error)) from None


@secrets_cli.command("init")
def secrets_init():
    """Write instance/secrets.json with fresh random keys (refuses to overwrite)."""
    path = Path(current_app.instance_path) / "secrets.json"
    if path.exists():
        click.echo(f"{path} exists; keeping it")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    key_id = "k1"
    values = {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ENCRYPTION_KEYS": f"{key_id}:{new_key()}",
        "ENCRYPTION_KEY_ID": key_id,
        "AUDIT_HMAC_KEY": secrets.token_urlsafe(48),
    }
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(values, handle, indent=1)
    click.echo(f"wrote new keys to {path} (mode 600)")


@secrets_cli.command("reencrypt")
def secrets_reencrypt():
    """Re-seal every shelter location with the active key (after adding a new key id)."""
    ring = key_ring()

    def action():
        moved = 0
        for shelter in db.session.scalars(sa.select(Shelter)):
            if ring.key_id_of(shelter.location_sealed) != ring.active_id:
                value = ring.open(shelter.location_sealed, LOCATION_PURPOSE)
                shelter.location_sealed = ring.seal(value, LOCATION_PURPOSE)
                moved += 1
        return moved

    click.echo(f"re-sealed {_commit_or_fail(action)} value(s) with key {ring.active_id}")


@network_cli.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--default", "use_default", is_flag=True, help="The Kosovo network shipped inside.")
def network_load(path, use_default):
    """Create or update the network from a JSON file; safe to run again."""
    if bool(path) == use_default:
        raise click.UsageError("give a FILE or --default, not both")
    try:
        document = default_network() if use_default else json.loads(Path(path).read_text())
    except json.JSONDecodeError as error:
        raise click.ClickException(f"not JSON: line {error.lineno} column {error.colno}") from None
    base_dir = None if use_default else Path(path).parent
    for line in _commit_or_fail(lambda: load_network(document, base_dir)):
        click.echo(line)


def _policy_settings(assignments):
    """["min_suspect_distance_km.high=45", "hold_ttl_minutes=90"] as validated settings."""
    settings = {}
    for assignment in assignments:
        path, sign, text = assignment.partition("=")
        if not sign or not path:
            raise click.UsageError(f"{assignment!r}: write NAME=VALUE")
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            raise click.UsageError(f"{path}: {text!r} is not a number") from None
        *tables, name = path.split(".")
        target = settings
        for table in tables:
            target = target.setdefault(table, {})
            if not isinstance(target, dict):
                raise click.UsageError(f"{path}: {table} is a value, not a table")
        target[name] = value
    try:
        return policy.PolicySettingsSchema().load(settings)
    except ValidationError as error:
        raise click.ClickException("; ".join(flatten_errors(error.messages))) from None


@policy_cli.command("set")
@click.argument("assignments", nargs=-1, required=True, metavar="NAME=VALUE...")
@click.option("--reason", required=True, help="Why (kept in the policy's history).")
def policy_set(assignments, reason):
    """Change policy values, e.g. min_suspect_distance_km.high=45 hold_ttl_minutes=90."""
    if not reason.strip() or len(reason) > 200:
        raise click.UsageError("--reason: 1 to 200 characters")
    settings = _policy_settings(assignments)
    version = _commit_or_fail(lambda: policy.change(settings, reason, source="command"))
    if version is None:
        click.echo("policy unchanged")
        return
    for change in policy.version_view(version)["changes"]:
        click.echo(f"  {change['field']}: {change['before']} -> {change['after']}")
    click.echo(f"policy version {version.id} in force")


@policy_cli.command("show")
def policy_show():
    """The policy in force, as JSON, and the version that set it."""
    view = policy.policy_view()
    db.session.rollback()
    click.echo(json.dumps(view, indent=1, default=str))


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--organisation", help="Organisation code (case managers).")
@click.option("--shelter", "shelters", multiple=True, help="Shelter id or code (shelter managers).")
@click.option("--region", help="Region code (regional coordinators).")
def users_create(username, role, organisation, shelters, region):
    """Create an account; the password is read from standard input."""
    password = _read_password()
    _commit_or_fail(
        lambda: accounts.create_user(username, password, role, organisation, shelters, region)
    )
    click.echo(f"created {role} {username}")


@users_cli.command("disable")
@click.argument("username")
def users_disable(username):
    """Disable an account and end its sessions."""
    _commit_or_fail(lambda: accounts.set_disabled(username, True))
    click.echo(f"disabled {username}")


@users_cli.command("enable")
@click.argument("username")
def users_enable(username):
    """Enable a disabled account."""
    _commit_or_fail(lambda: accounts.set_disabled(username, False))
    click.echo(f"enabled {username}")


@users_cli.command("set-password")
@click.argument("username")
def users_set_password(username):
    """Set a new password (read from standard input) and end the account's sessions."""
    password = _read_password()
    _commit_or_fail(lambda: accounts.set_password(username, password))
    click.echo(f"password of {username} changed")


def _read_password():
    if sys.stdin.isatty():
        return click.prompt("password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\n")


DEMO_ACCOUNTS = (
    ("demo-case", "case_manager", {"organisation": "police-thb"}),
    # One manager for every shelter, so a newcomer can answer whichever shelter a case fits.
    ("demo-shelter", "shelter_manager", {"shelter_ids": "every shelter"}),
    ("demo-region", "regional_coordinator", {"region": "prishtine"}),
    ("demo-national", "national_coordinator", {}),
    ("demo-admin", "admin", {}),
)


@demo_cli.command("accounts")
@click.option("--reset", is_flag=True, help="Give existing demo accounts new passwords.")
def demo_accounts(reset):
    """One demo account per role, each with a random password printed once."""

    def action():
        printed = []
        for username, role, scope in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(12)
            if scope.get("shelter_ids") == "every shelter":
                scope = {"shelter_ids": db.session.scalars(sa.select(Shelter.id)).all()}
            exists = db.session.scalar(sa.select(User.id).where(User.username == username))
            if exists and not reset:
                continue
            if exists:
                user = accounts.set_password(username, password)
                if role == "shelter_manager":
                    # An install made before every shelter had its demo manager catches up.
                    user.shelters = list(db.session.scalars(
                        sa.select(Shelter).where(Shelter.id.in_(scope["shelter_ids"]))))
            else:
                accounts.create_user(username, password, role, **scope)
            printed.append((username, role, password))
        return printed

    printed = _commit_or_fail(action)
    if not printed:
        click.echo("demo accounts exist already; `make demo-reset` prints new passwords")
    for username, role, password in printed:
        click.echo(f"  {role:<22} {username:<14} {password}")


@audit_cli.command("verify")
@click.option("--anchor", "anchor_file", type=click.Path(dir_okay=False),
              help="An anchor file to compare with (default AUDIT_ANCHOR_FILE).")
def audit_verify_command(anchor_file):
    """Check every row's HMAC, every chain and its signed head, and the latest anchor; exit 1 at
    the first break, or when the log was rolled back behind its anchor."""
    verdict = verify_audit_log()
    if not verdict.ok:
        db.session.rollback()
        raise click.ClickException(verdict.summary())
    click.echo(verdict.summary())
    path = anchor_file or current_app.config.get("AUDIT_ANCHOR_FILE")
    try:
        anchor = audit_anchor.latest_in(path) if path else None
    except audit_anchor.AnchorError as error:
        raise click.ClickException(str(error)) from None
    if path is None:
        click.echo("no anchor to compare with (set AUDIT_ANCHOR_FILE, run `flask audit anchor`)")
        return
    if anchor is None:
        # Where anchors are kept, none at all is as suspect as a wrong one.
        raise click.ClickException(f"no anchor in {path}; `flask audit anchor` writes one")
    problem = audit_anchor.problem_with(anchor)
    db.session.rollback()
    if problem:
        raise click.ClickException(f"audit log does not match its anchor: {problem}")
    click.echo(f"matches the anchor of {anchor.at} at seq {anchor.seq}")


@audit_cli.command("anchor")
def audit_anchor_command():
    """Append the signed head to AUDIT_ANCHOR_FILE and/or POST it to AUDIT_ANCHOR_URL."""
    try:
        anchor, places = audit_anchor.write()
    except audit_anchor.AnchorError as error:
        raise click.ClickException(str(error)) from None
    finally:
        db.session.rollback()
    click.echo(f"anchored seq {anchor.seq} to {', '.join(places)}")


@jobs_cli.command("list")
def jobs_list():
    """The registered jobs and how often the scheduler runs them."""
    from placement.jobs import REGISTRY

    for job in REGISTRY.values():
        click.echo(f"{job.name:<26} every {job.every}  {job.description}")


@jobs_cli.command("run")
@click.argument("name")
def jobs_run(name):
    """Run one job once now (skipped if it is running elsewhere); exit 1 if it failed."""
    from placement import jobs

    if name not in jobs.REGISTRY:
        raise click.UsageError(f"no job {name!r}; `flask jobs list` names them")
    result = jobs.run(name)
    click.echo(f"{result.name}: {result.outcome} ({result.summary})")
    if result.outcome == "failed":
        raise SystemExit(1)


@scheduler_cli.command("run")
def scheduler_run():
    """Run every registered job at its interval until stopped (its own process)."""
    from placement.scheduler import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    serve(current_app._get_current_object())


@worker_cli.command("run")
def worker_run():
    """Solve queued optimizer runs until stopped (its own process; see placement/worker.py)."""
    from placement.worker import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("huey").setLevel(logging.WARNING)
    serve(current_app._get_current_object())
