"""Batch optimizer runs over the queue (coordinators)."""


from placement.auth import current_user, requires
from placement.extensions import db
from placement.resources.common import Blueprint, PageArgsSchema, View
from placement.resources.idempotency import idempotent
from placement.resources.runs.schemas import RunCreateSchema, RunQueryArgsSchema, RunSchema
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
        a summary and its proposals, a page at a time) or `failed` (with `failure`, the
        reason)."""
        run = runs.queue_run(current_user(), **body)
        # Committed before it is queued: the worker reads the run from the database.
        db.session.commit()
        enqueue_run(run.id)
        # As it stands now: queued, or already solved where the queue runs in-process (tests).
        db.session.refresh(run)
        return _run_view(run, **PageArgsSchema().load({}))  # the first page, as GET's default


@blp.route("/optimizer/runs/<int:run_id>")
class RunById(View):
    @requires(*runs.RUNNERS)
    @blp.arguments(RunQueryArgsSchema, location="query")
    @blp.response(200, RunSchema)
    def get(self, args, run_id):
        """Read a run with a page of its proposals (limit, offset; X-Total-Count counts them).

        A request left unplaced has its exclusions summed up by rule; the request's proposals
        (GET /placement-requests/{id}/proposals) list every excluded shelter, a page at a time."""
        view = _run_view(runs.visible_run(current_user(), run_id), **args)
        return view, {"X-Total-Count": str(view["proposals_total"])}


def _run_view(run, limit, offset):
    proposals, total = runs.run_proposals(run, limit, offset)
    return {**{name: getattr(run, name) for name in (
        "id", "region_code", "status", "time_limit", "failure", "auto_hold", "started_at",
        "finished_at", "summary")}, "proposals": proposals, "proposals_total": total}
