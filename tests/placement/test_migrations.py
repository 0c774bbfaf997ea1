"""Migrations: one head, a schema equal to the models, a history that cannot be edited."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from placement import MIGRATIONS
from placement.extensions import db, migrate
from placement.models import BedEvent


def test_the_migrations_have_a_single_head_and_every_revision_a_message(app):
    script = ScriptDirectory.from_config(migrate.get_config(str(MIGRATIONS)))
    assert len(script.get_heads()) == 1
    for revision in script.walk_revisions():
        assert revision.doc and revision.doc.strip(), revision.revision


def test_the_migrated_database_matches_the_models(app):
    # The test database was built by `flask db upgrade`; autogenerate must find nothing to do.
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_flask_db_upgrade_builds_an_empty_sqlite_database(tmp_path):
    from placement import create_app
    from tests.placement.conftest import SECRET_KEYS

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    application = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, **SECRET_KEYS})
    result = application.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with application.app_context():
        tables = set(sa.inspect(db.engine).get_table_names())
        db.engine.dispose()
    assert {"shelters", "rooms", "beds", "bed_events", "users", "tokens"} <= tables


@pytest.mark.parametrize(
    "statement",
    ["UPDATE bed_events SET reason = 'rewritten'", "DELETE FROM bed_events"],
)
def test_bed_history_refuses_update_and_delete(app, network, statement):
    before = db.session.scalar(sa.select(sa.func.count(BedEvent.id)))
    assert before > 0
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(BedEvent.id))) == before
