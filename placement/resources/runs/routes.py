"""Batch optimizer runs over the queue (coordinators)."""


from placement.auth import current_user, requires
from placement.extensions import db
from placement.resources.common import Blueprint, View
from placement.resources.idempotency import idempotent
from placement.resources.runs.schemas import RunCreateSchema, RunSchema
from placement.services import runs

blp = Blueprint("optimizer_runs", __name__, description="Batch optimizer runs.")


@blp.route("/optimizer/runs")
class Runs(View):
    @requires(*runs.RUNNERS)
    @idempotent
    @blp.arguments(RunCreateSchema)
    @blp.response(201, RunSchema)
    def post(self, body):
        """Solve the open queue of your region (national: a region or all) and store proposals."""
        run = runs.start_run(current_user(), **body, before_solving=db.session.commit)
        return run


@blp.route("/optimizer/runs/<int:run_id>")
class RunById(View):
    @requires(*runs.RUNNERS)
    @blp.response(200, RunSchema)
    def get(self, run_id):
        """Read a run with its proposals."""
        run = runs.visible_run(current_user(), run_id)
        return run
