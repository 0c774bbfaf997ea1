"""Batch optimizer runs over the open queue: a stored proposal per request, holds if asked."""

import logging
import os
import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from optimizer import solve
from placement import clock, search_pause
from placement.errors import DomainError, Forbidden, NotFound, RuleViolation
from placement.extensions import db
from placement.models import (
    Municipality,
    OptimizerRun,
    PlacementRequest,
    Proposal,
    Region,
    Shelter,
    User,
)
from placement.services import audit, exclusions, holds, paging
from placement.services.instances import build_instance
from placement.services.proposals import RELAXATIONS_LIMIT

RUNNERS = ("regional_coordinator", "national_coordinator")
DEFAULT_TIME_LIMIT = 10.0
# The relaxations stored per unplaced request: the first page live proposals answer (there may
# be one per shelter: at 2,500 shelters, 1,600 bed relaxations for one large family).
RELAXATIONS_KEPT = RELAXATIONS_LIMIT

# Kept back from the search, per exclusion its answer will carry (unplaced requests times
# shelters), for what follows it: the search's return from the lowest CPU class, explaining
# and storing at nice 10. Measured in bench.runs with the API busy (300 shelters, 484 unplaced):
# 0.29 s, 0.61 s and 0.27 s, where the optimizer's own reserve (from its preparing) was 0.14 s
# and runs ended 0.6-0.9 s past their 30 s limit.
FINISHING_S_PER_EXCLUSION = 8e-6

log = logging.getLogger(__name__)


def _queue(region):
    query = sa.select(PlacementRequest).where(PlacementRequest.status == "open")
    if region:
        query = query.where(PlacementRequest.current_municipality.in_(
            sa.select(Municipality.code).where(Municipality.region_code == region)
        ))
    return list(db.session.scalars(query.order_by(PlacementRequest.id)))


def queue_run(user, region=None, auto_hold=False, time_limit=DEFAULT_TIME_LIMIT):
    """Record a queued run over the caller's region (a national coordinator: any or all).
    The worker solves it (execute_run); the caller commits, then enqueues its id."""
    if user.role not in RUNNERS:
        raise Forbidden("only coordinators run the optimizer")
    region = _run_region(user, region)
    run = OptimizerRun(region_code=region, requested_by_id=user.id, auto_hold=auto_hold,
                       status="queued", started_at=clock.now(), time_limit=time_limit)
    db.session.add(run)
    db.session.flush()
    audit.record("optimizer.run", "optimizer_run", run.id, actor=user,
                 detail=f"{region or 'all'}:queued")
    return run


def execute_run(run_id, monotonic=time.monotonic):
    """The worker's side: solve a queued run and commit its proposals, or mark it failed.

    The run's time_limit covers everything from here: reading the queue, building the
    instance and the model, the solve and its explanations. Returns the run's final status.
    """
    started = monotonic()
    run = db.session.get(OptimizerRun, run_id)
    if run is None or run.status != "queued":
        db.session.rollback()
        return None if run is None else run.status  # already taken: a redelivered task
    run.status = "running"
    db.session.commit()
    try:
        # Reading the queue and building the instance write nothing: on SQLite they go without
        # the write lock, which the API's writes would otherwise wait on for the seconds a large
        # queue takes to read (the solve commits before searching, and storing takes it again).
        db.session.connection(execution_options={"streha_read_only": True})
        actor = db.session.get(User, run.requested_by_id) if run.requested_by_id else None
        _solve_into(run, _queue(run.region_code), actor, run.time_limit or DEFAULT_TIME_LIMIT,
                    started, monotonic, before_solving=db.session.commit)
        db.session.commit()
    except Exception as error:  # any failure ends the run, recorded: never "running" forever
        db.session.rollback()
        log.error("optimizer run %s failed: %s", run_id, type(error).__name__)
        fail_run(run_id, f"the solve failed ({type(error).__name__})")
    return db.session.get(OptimizerRun, run_id).status


def fail_run(run_id, reason):
    """Mark a run that did not finish as failed, with the reason; commits."""
    run = db.session.get(OptimizerRun, run_id)
    if run is not None and run.status in ("queued", "running"):
        run.status = "failed"
        run.failure = reason[:200]
        run.finished_at = clock.now()
        db.session.commit()


def fail_abandoned_runs(grace):
    """Runs still `running` well past their time limit (plus `grace`) lost their worker (it was
    killed mid-run): mark them failed so none stays running forever. Returns how many."""
    now = clock.now()
    stuck = [run for run in db.session.scalars(
        sa.select(OptimizerRun).where(OptimizerRun.status == "running"))
        if run.started_at + timedelta(seconds=(run.time_limit or DEFAULT_TIME_LIMIT) + grace)
        < now]
    for run in stuck:
        run.status, run.finished_at = "failed", now
        run.failure = "the worker stopped before the run finished"
    db.session.flush()
    return len(stuck)


def _run_region(user, region):
    """The region a run covers: a regional coordinator's own (naming another is refused, not
    quietly replaced), a national coordinator's choice among the loaded regions, or all."""
    if user.role == "regional_coordinator":
        if region not in (None, user.region_code):
            raise RuleViolation(f"region: you run the optimizer for {user.region_code} only",
                                {"json": {"region": ["not your region"]}})
        return user.region_code
    if region is not None and db.session.get(Region, region) is None:
        raise RuleViolation("region: no such region", {"json": {"region": ["no such region"]}})
    return region


def repropose_open_requests(time_limit=DEFAULT_TIME_LIMIT, before_solving=None):
    """The scheduler's run: propose again for open requests that changed since their last
    proposal (a hold expired or was declined, a new request). Returns the run, or None."""
    started = time.monotonic()
    latest = (
        sa.select(Proposal.request_id, sa.func.max(Proposal.created_at).label("at"))
        .group_by(Proposal.request_id).subquery()
    )
    changed = list(db.session.scalars(
        sa.select(PlacementRequest)
        .outerjoin(latest, latest.c.request_id == PlacementRequest.id)
        .where(PlacementRequest.status == "open",
               sa.or_(latest.c.at.is_(None), latest.c.at < PlacementRequest.updated_at))
        .order_by(PlacementRequest.id)
    ))
    if not changed:
        return None
    run = OptimizerRun(region_code=None, requested_by_id=None, auto_hold=False,
                       status="running", started_at=clock.now(), time_limit=time_limit)
    db.session.add(run)
    db.session.flush()
    audit.record("optimizer.run", "optimizer_run", run.id, actor=None,
                 detail=f"all:{len(changed)}")
    return _solve_into(run, changed, None, time_limit, started, time.monotonic,
                       before_solving)


def _solve_into(run, requests, actor, time_limit, started, monotonic, before_solving=None):
    """Solve these requests against every shelter; store one proposal per request.

    `started` (a `monotonic` reading) is when the run began: the solver's clock starts there,
    so that reading the queue and building the instance count against `time_limit`.
    `before_solving` is called once the instance is built, before the solve: the worker and
    the scheduler's job pass their commit, so that no transaction (on SQLite, the database's
    one write lock) stays open for the seconds the solver may take.
    """
    instance = build_instance(requests)
    request_ids = [r.id for r in requests]
    if before_solving is not None:
        before_solving()
    solution = solve(instance, time_limit=time_limit, method="cpsat", started=started,
                     clock=monotonic, search_runner=_at_lowest_priority,
                     writing_s_per_exclusion=FINISHING_S_PER_EXCLUSION)
    by_id = {rid: db.session.get(PlacementRequest, rid) for rid in request_ids}
    refs = _shelter_refs()
    held = 0
    for assignment in solution.assignments:
        proposal = _store(run, assignment.request, assignment.shelter, assignment.room, None)
        if run.auto_hold:
            held += _try_hold(actor, by_id[assignment.request], proposal)
    for unassigned in solution.unassigned:
        _store(run, unassigned.request, None, None, _explanation(unassigned, refs))
    run.status = "succeeded"
    run.finished_at = clock.now()
    run.summary = {
        "status": solution.status.value,
        # L3 (travel km) stays out: with one request it is a distance to a shelter.
        "objective": {"priority": solution.objective.priority, "fit": solution.objective.fit},
        "bound": {"priority": solution.bound_priority},
        "wall_time_s": round(solution.wall_time_s, 3),
        "requests": len(requests),
        "assigned": len(solution.assignments),
        "unassigned": len(solution.unassigned),
        "holds_placed": held,
    }
    db.session.flush()
    return run


def _at_lowest_priority(search, deadline):
    """Run the optimizer's search in a thread of its own of the lowest CPU scheduling class
    (SCHED_IDLE), and wait for it. A web worker that wakes on the same CPUs preempts such a
    thread at once, where a thread at nice 10 may keep the CPU for the rest of its slice. Where
    the worker watches the run (placement/search_pause.py) it also pauses the search while the
    machine is busy, up to `deadline` (a `time.monotonic` reading in the worker's runs): what the
    scheduling class leaves of the search's cost to the API, a core or its caches shared, that
    pausing takes away.

    Only the search, which the time limit cuts short: starved by a busy web, it finds less, but
    stops on time. Preparing, filling and explaining the answer (which no clock cuts: with the
    whole solve at SCHED_IDLE, bench.runs at a load of 6 overran its 30 s limit by 13 and 23 s)
    stay in the caller's thread, and so does the storing, which holds row locks the API's holds
    wait on. The class is per thread on Linux; where it does not exist the search runs as before."""
    outcome = {}

    def work():
        try:
            if hasattr(os, "SCHED_IDLE"):
                os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError:  # refused (a sandbox's policy): the search runs at the caller's class
            pass
        try:
            outcome["value"] = search()
        except BaseException as error:  # handed to the caller, which records the failure
            outcome["error"] = error
        finally:  # before this thread ends: the worker never stops what comes after
            search_pause.announce(0.0)

    search_pause.announce(deadline)
    thread = threading.Thread(target=work, name="streha-solve")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _store(run, request_id, shelter_id, room_id, explanation):
    proposal = Proposal(run_id=run.id, request_id=request_id, shelter_id=shelter_id,
                        room_id=room_id, explanation=explanation, created_at=clock.now())
    db.session.add(proposal)  # flushed together at the end of the run (one batched insert)
    return proposal


def _try_hold(user, request, proposal):
    """Hold the proposed beds; a hold refused now (the beds moved on) is noted, not fatal."""
    try:
        with db.session.begin_nested():
            hold = holds.create_hold(user, request, proposal.shelter_id, proposal.room_id)
    except DomainError as error:
        proposal.explanation = {"hold_refused": error.message}
        return 0
    proposal.hold_id = hold.id
    return 1


def _shelter_refs():
    """Every shelter's public reference (id, name, kind, region), as live proposals show one."""
    rows = db.session.execute(
        sa.select(Shelter.id, Shelter.name, Shelter.kind, Shelter.region_code))
    return {row.id: {"id": row.id, "name": row.name, "kind": row.kind,
                     "region": row.region_code} for row in rows}


def _explanation(unassigned, refs):
    """Why a request was left unplaced, in a size that does not grow with the network: the
    exclusions summed up by rule, as live proposals sum them up (every shelter's own reasons
    are the request's live proposals, paged), and the first relaxations of all of them."""
    return {
        "excluded_total": len(unassigned.excluded),
        "excluded_by_rule": exclusions.by_rule(unassigned.excluded, refs.__getitem__),
        "relaxations": [
            {"rule": r.rule, "shelter": r.shelter, "name": refs[r.shelter]["name"],
             "parameter": r.parameter, "current": r.current, "relaxed": r.relaxed,
             "message": r.message}
            for r in unassigned.relaxations[:RELAXATIONS_KEPT]
        ],
        "relaxations_total": len(unassigned.relaxations),
    }


def visible_run(user, run_id):
    run = db.session.get(OptimizerRun, run_id)
    if user.role not in RUNNERS:
        raise Forbidden("only coordinators read optimizer runs")
    if run is None or (user.role == "regional_coordinator" and run.region_code != user.region_code):
        raise NotFound(f"no optimizer run {run_id}")
    return run


def run_proposals(run, limit, offset):
    """(One page of a run's proposals, in request order; how many it has.)"""
    return paging.page(sa.select(Proposal).where(Proposal.run_id == run.id)
                       .order_by(Proposal.request_id), limit, offset)


def latest_proposal(request):
    return db.session.scalar(
        sa.select(Proposal).where(Proposal.request_id == request.id)
        .order_by(Proposal.id.desc()).limit(1)
    )
