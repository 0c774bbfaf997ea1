"""Batch optimizer runs over the queue (coordinators)."""


from placement.auth import current_user, requires
from placement.extensions import db
from placement.resources.common import Blueprint, View
from placement.resources.idempotency import idempotent
from placement.resources.runs.schemas import RunCreateSchema, RunSchema
from placement.services import runs
from placement.worker import enqueue_run

blp = Blueprint("optimizer_runs", __name__, description="Batch optimizer runs.")


@blp.route("/optimizer/runs")
class Runs(View):
    @requires(*runs.RUNNERS)
    @idempotent
    @blp.arguments(RunCreateSchema)
    @blp.response(202, RunSchema)
    def post(self, body):
        """Queue a solve of the open queue of your region (national: a region or all).

        Answers 202 with the run, `queued`; the worker solves it within `time_limit` seconds
        and stores a proposal per request. Read the run until its status is `succeeded` (with
        proposals and a summary) or `failed` (with `failure`, the reason)."""
        run = runs.queue_run(current_user(), **body)
        # Committed before it is queued: the worker reads the run from the database.
        db.session.commit()
        enqueue_run(run.id)
        # As it stands now: queued, or already solved where the queue runs in-process (tests).
        db.session.refresh(run)
        return run


@blp.route("/optimizer/runs/<int:run_id>")
class RunById(View):
    @requires(*runs.RUNNERS)
    @blp.response(200, RunSchema)
    def get(self, run_id):
        """Read a run with its proposals."""
        run = runs.visible_run(current_user(), run_id)
        return run
