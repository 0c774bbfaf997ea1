"""Batch optimizer runs over the open queue: a stored proposal per request, holds if asked."""

import sqlalchemy as sa

from optimizer import solve
from placement import clock
from placement.errors import DomainError, Forbidden, NotFound, RuleViolation
from placement.extensions import db
from placement.models import (
    Municipality,
    OptimizerRun,
    PlacementRequest,
    Proposal,
    Region,
    Shelter,
)
from placement.services import audit, holds
from placement.services.instances import build_instance

RUNNERS = ("regional_coordinator", "national_coordinator")
DEFAULT_TIME_LIMIT = 10.0


def _queue(region):
    query = sa.select(PlacementRequest).where(PlacementRequest.status == "open")
    if region:
        query = query.where(PlacementRequest.current_municipality.in_(
            sa.select(Municipality.code).where(Municipality.region_code == region)
        ))
    return list(db.session.scalars(query.order_by(PlacementRequest.id)))


def start_run(user, region=None, auto_hold=False, time_limit=DEFAULT_TIME_LIMIT,
              before_solving=None):
    """Solve the open queue of the caller's region (a national coordinator: any or all).
    See solve_queue for `before_solving`."""
    if user.role not in RUNNERS:
        raise Forbidden("only coordinators run the optimizer")
    region = _run_region(user, region)
    return solve_queue(_queue(region), region, user, auto_hold, time_limit, before_solving)


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
    return solve_queue(changed, None, None, False, time_limit, before_solving)


def solve_queue(requests, region, actor, auto_hold, time_limit, before_solving=None):
    """Solve these requests against every shelter; store one proposal per request.

    `before_solving` is called once the run is recorded and the instance built, before the
    solve: the web view and the job pass their commit, so that no transaction (on SQLite, the
    database's one write lock) stays open for the seconds the solver may take.
    """
    run = OptimizerRun(region_code=region, requested_by_id=actor.id if actor else None,
                       auto_hold=auto_hold, status="running", started_at=clock.now())
    db.session.add(run)
    db.session.flush()
    audit.record("optimizer.run", "optimizer_run", run.id, actor=actor,
                 detail=f"{region or 'all'}:{len(requests)}")
    instance = build_instance(requests)
    request_ids = [r.id for r in requests]
    if before_solving is not None:
        before_solving()
    solution = solve(instance, time_limit=time_limit, method="cpsat")
    by_id = {rid: db.session.get(PlacementRequest, rid) for rid in request_ids}
    names = dict(db.session.execute(sa.select(Shelter.id, Shelter.name)).all())
    held = 0
    for assignment in solution.assignments:
        proposal = _store(run, assignment.request, assignment.shelter, assignment.room, None)
        if auto_hold:
            held += _try_hold(actor, by_id[assignment.request], proposal)
    for unassigned in solution.unassigned:
        _store(run, unassigned.request, None, None, _explanation(unassigned, names))
    run.status = "done"
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


def _store(run, request_id, shelter_id, room_id, explanation):
    proposal = Proposal(run_id=run.id, request_id=request_id, shelter_id=shelter_id,
                        room_id=room_id, explanation=explanation, created_at=clock.now())
    db.session.add(proposal)
    db.session.flush()
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


def _explanation(unassigned, names):
    return {
        "excluded": [
            {"shelter": e.shelter, "name": names.get(e.shelter), "rules": list(e.rules),
             "reasons": list(e.reasons)}
            for e in unassigned.excluded
        ],
        "relaxations": [
            {"rule": r.rule, "shelter": r.shelter, "parameter": r.parameter,
             "current": r.current, "relaxed": r.relaxed, "message": r.message}
            for r in unassigned.relaxations
        ],
    }


def visible_run(user, run_id):
    run = db.session.get(OptimizerRun, run_id)
    if user.role not in RUNNERS:
        raise Forbidden("only coordinators read optimizer runs")
    if run is None or (user.role == "regional_coordinator" and run.region_code != user.region_code):
        raise NotFound(f"no optimizer run {run_id}")
    return run


def latest_proposal(request):
    return db.session.scalar(
        sa.select(Proposal).where(Proposal.request_id == request.id)
        .order_by(Proposal.id.desc()).limit(1)
    )
