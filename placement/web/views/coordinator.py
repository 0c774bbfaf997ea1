"""Coordinators' work on the queue: open requests in scope, optimizer runs over them, each
request's result, and an override of a rule for one request with a written justification.

Each action is the API's: `runs.queue_run` as POST /optimizer/runs (the worker solves it; the
run's page refreshes itself until it has), `requests.set_override` as
POST /placement-requests/<id>/override, with their scopes (a regional coordinator's region),
rules, audit and errors.
"""

import sqlalchemy as sa
from flask import redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from optimizer.registry import OVERRIDABLE
from placement.errors import Conflict
from placement.extensions import db
from placement.models import Placement, Region, Room, Shelter
from placement.resources.views import request_view
from placement.services import audit, exclusions, placements, requests, runs
from placement.web.auth import page, page_user
from placement.web.forms import render_form
from placement.web.rule_words import relaxation_sentence
from placement.web.transaction import PageBlueprint, after_commit
from placement.worker import enqueue_run

bp = PageBlueprint("web_coordinator", __name__, url_prefix="/coordinator")
COORDINATORS = runs.RUNNERS
QUEUE_PAGE = 100
RUN_POLL_SECONDS = 3
RUN_PAGE_SIZE = 100
MAX_PAGE = 100_000


class RunForm(FlaskForm):
    region = SelectField(_l("Region"), choices=[], validate_choice=True)
    auto_hold = BooleanField(_l("Hold the proposed beds at once"))


class OverrideForm(FlaskForm):
    rules = SelectMultipleField(
        _l("Rules to lift for this request"), choices=[],
        option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False),
        validators=[DataRequired(_l("Choose at least one rule"))],
    )
    justification = TextAreaField(
        _l("Justification"),
        validators=[DataRequired(_l("Write why this rule may be lifted")),
                    Length(max=1000, message=_l("At most 1,000 characters"))],
    )


def _run_form(user):
    form = RunForm()
    if user.role == "national_coordinator":
        regions = db.session.scalars(sa.select(Region).order_by(Region.code))
        form.region.choices = [("", _l("All regions"))] + [
            (r.code, r.code) for r in regions
        ]
    else:
        form.region.choices = [(user.region_code, user.region_code)]
    return form


def _override_form():
    from placement.web.labels import rule_sentence

    form = OverrideForm()
    form.rules.choices = [(code, f"{code}: {rule_sentence(code)}") for code in OVERRIDABLE]
    return form


@bp.route("/queue")
@page(*COORDINATORS)
def queue():
    user = page_user()
    rows, total = requests.list_requests(user, QUEUE_PAGE, 0, status="open")
    audit.record("request.list", detail=str(len(rows)))
    return render_template("coordinator/queue.html", rows=rows, total=total,
                           form=_run_form(user), user=user)


@bp.route("/runs", methods=["POST"])
@page(*COORDINATORS)
def start_run():
    user = page_user()
    form = _run_form(user)
    if not form.validate_on_submit():
        rows, total = requests.list_requests(user, QUEUE_PAGE, 0, status="open")
        db.session.rollback()
        return render_form("coordinator/queue.html", form, rows=rows, total=total, user=user)
    run = runs.queue_run(user, region=form.region.data or None, auto_hold=form.auto_hold.data)
    # Queued once committed: the worker reads the run from the database.
    after_commit(lambda: enqueue_run(run.id))
    return redirect(url_for("web_coordinator.run_result", run_id=run.id))


@bp.route("/runs/<int:run_id>")
@page(*COORDINATORS)
def run_result(run_id):
    run = runs.visible_run(page_user(), run_id)
    # A page of the results (a run may hold 1,000); bounded, as the database's OFFSET is.
    number = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    proposals, total = runs.run_proposals(run, RUN_PAGE_SIZE, (number - 1) * RUN_PAGE_SIZE)
    pages = max((total + RUN_PAGE_SIZE - 1) // RUN_PAGE_SIZE, 1)
    if number > pages:  # past the end: the last page, as the proposals page does
        number = pages
        proposals, total = runs.run_proposals(run, RUN_PAGE_SIZE, (number - 1) * RUN_PAGE_SIZE)
    # The named shelters and rooms in one query each, not one per proposal.
    shelters = _by_id(Shelter, {p.shelter_id for p in proposals if p.shelter_id})
    rooms = _by_id(Room, {p.room_id for p in proposals if p.room_id})
    results = [_result(p, shelters, rooms) for p in proposals]
    # Until the worker has finished, the page asks for itself again every few seconds (htmx).
    return render_template("coordinator/run.html", run=run, results=results,
                           pending=run.status in ("queued", "running"),
                           poll_seconds=RUN_POLL_SECONDS, number=number, pages=pages)


def _by_id(model, ids):
    return {row.id: row for row in db.session.scalars(sa.select(model).where(model.id.in_(ids)))}


def _result(proposal, shelters, rooms):
    """One request's outcome in a run, with names instead of ids."""
    shelter = shelters.get(proposal.shelter_id)
    room = rooms.get(proposal.room_id)
    explanation = proposal.explanation or {}
    relaxations = explanation.get("relaxations", [])
    # Runs stored before the summary named a relaxation's shelter only in their full list.
    names = {e["shelter"]: e.get("name") for e in explanation.get("excluded", [])}
    return {
        "request_id": proposal.request_id,
        "shelter": shelter.name if shelter else None,
        "room_kind": room.kind if room else None,
        "held": proposal.hold_id is not None,
        "hold_refused": explanation.get("hold_refused"),
        "by_rule": exclusions.stored_by_rule(explanation),
        "excluded_total": exclusions.stored_total(explanation),
        "relaxations": [dict(r, name=r.get("name") or names.get(r["shelter"], ""),
                             sentence=relaxation_sentence(r))
                        for r in relaxations],
        "relaxations_total": explanation.get("relaxations_total", len(relaxations)),
    }


@bp.route("/requests/<int:request_id>", methods=["GET"])
@page(*COORDINATORS)
def request_page(request_id):
    form = _override_form()
    # The form starts from the rules lifted now: a coordinator changes the override, not adds to it.
    form.rules.data = requests.visible_request(page_user(), request_id).override_rules or []
    return _show_request(request_id, form)


@bp.route("/requests/<int:request_id>/override", methods=["POST"])
@page(*COORDINATORS)
def override(request_id):
    user = page_user()
    form = _override_form()
    placement_request = requests.visible_request(user, request_id, lock=True)
    if not form.validate_on_submit():
        db.session.rollback()
        return _show_request(request_id, form)
    try:
        requests.set_override(user, placement_request, form.rules.data, form.justification.data)
    except Conflict:
        db.session.rollback()
        form.rules.errors.append(_l("This request is no longer open or held: it cannot change."))
        return _show_request(request_id, form, status=409)
    # A notice by query string: page sessions hold nothing but the sign-in (no flash storage).
    return redirect(url_for("web_coordinator.request_page", request_id=request_id, saved=1))


def _show_request(request_id, form, status=None):
    user = page_user()
    placement_request = requests.visible_request(user, request_id)
    view = request_view(placement_request, user)
    events = requests.events_of(placement_request)
    audit.record("request.read", "placement_request", request_id)
    shelters = _shelter_names(view)
    live_one = requests.live_placement(placement_request)
    moving = placements.transfer_for(live_one) if live_one else None
    previous = view["transferred_from"]
    moved_from = db.session.get(Placement, previous) if previous else None
    proposal = view["latest_proposal"]
    explanation = proposal["explanation"] if proposal else None
    return render_form("coordinator/request.html", form, status=status, view=view,
                       events=events, shelters=shelters, saved="saved" in request.args,
                       transfer=moving, moved_from=moved_from,
                       excluded_by_rule=exclusions.stored_by_rule(explanation),
                       excluded_total=exclusions.stored_total(explanation))


def _shelter_names(view):
    ids = {h["shelter_id"] for h in view["holds"]}
    proposal = view["latest_proposal"]
    if proposal and proposal["shelter_id"]:
        ids.add(proposal["shelter_id"])
    if not ids:
        return {}
    return dict(db.session.execute(
        sa.select(Shelter.id, Shelter.name).where(Shelter.id.in_(ids))
    ).all())
