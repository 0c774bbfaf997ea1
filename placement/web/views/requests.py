"""A placement request as the case manager follows it: proposals in words (a page of each list
at a time, the excluded shelters summed up by rule), holding beds from an option, the hold's
countdown, cancelling it, the request's timeline and notifications, and a transfer of a placed
person to another shelter (a new request; the bed is kept until arrival).

Every action is the API's transition (holds and requests services, same scopes and audit). The
parts that change while the page is open (countdown, holds, timeline, notifications) are one
fragment, `/requests/<id>/live`, that htmx polls; without JavaScript a reload shows the same.
"""

import sqlalchemy as sa
from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from placement import clock
from placement.errors import Conflict, RuleViolation, TooManyRequests
from placement.extensions import db
from placement.models import Placement, Shelter
from placement.services import audit, holds, notifications, placements, proposals, requests
from placement.web.auth import page, page_user
from placement.web.case_forms import transfer_form
from placement.web.forms import FORM_ERRORS_STATUS
from placement.web.rule_words import fit_words, reason_sentence, relaxation_sentence
from placement.web.service_errors import in_words, place_service_error
from placement.web.transaction import PageBlueprint

bp = PageBlueprint("web_requests", __name__)
CASE_MANAGER = ("case_manager",)
POLL_SECONDS = 5
NOTIFICATIONS_SHOWN = 10
# The proposals page shows each list a page at a time: all of Kosovo's (8 shelters, one or two
# room kinds each for a group) fit on the first. Past MAX_PAGE a page number is not read.
PAGED = ("options", "excluded", "relaxations")
PAGE_SIZES = {"options": 20, "excluded": 20, "relaxations": 20}
MAX_PAGE = 100_000


def _visible(request_id, lock=False):
    return requests.visible_request(page_user(), request_id, lock=lock)


@bp.route("/requests/<int:request_id>/proposals")
@page(*CASE_MANAGER)
def proposals_page(request_id):
    return _render_proposals(_visible(request_id))


def _render_proposals(placement_request, error=None, status=200):
    """The page of options, exclusions and relaxations the query string asks for (its own, or
    the proposals page's that a hold form carried): each list a page at a time; the excluded
    shelters summed up by rule, one by one only on request, once they fill more than a page."""
    answer, number, pages = _paged_answer(placement_request, _pages_asked())
    audit.record("request.proposals", "placement_request", placement_request.id)
    persons = placement_request.case.persons
    shown = {o["shelter"]["id"] for o in answer["options"]}
    shelters = {s.id: s for s in db.session.scalars(sa.select(Shelter).where(
        Shelter.id.in_(shown)))}
    options = [{**o, "words": fit_words(o, persons, shelters[o["shelter"]["id"]])}
               for o in answer["options"]]
    summary = answer["excluded_total"] > PAGE_SIZES["excluded"]
    listed = not summary or "excluded_page" in request.args
    excluded = [{**e, "sentences": [reason_sentence(d, english) for d, english in
                                    zip(e["details"], e["reasons"], strict=True)]}
                for e in answer["excluded"]] if listed else []
    relaxations = [{**r, "sentence": relaxation_sentence(r)} for r in answer["relaxations"]]
    # The page as it is: the pager links change one list's page, the hold form comes back to it.
    here = {f"{name}_page": number[name] for name in PAGED if number[name] > 1}
    if summary and listed:
        here["excluded_page"] = number["excluded"]
    body = render_template(
        "requests/proposals.html", placement_request=placement_request, options=options,
        excluded=excluded, relaxations=relaxations, error=error, here=here, number=number,
        pages=pages, sizes=PAGE_SIZES, summary=summary, listed=listed,
        hide_list={"request_id": placement_request.id,
                   **{name: value for name, value in here.items() if name != "excluded_page"}},
        by_rule=answer["excluded_by_rule"], totals={name: answer[f"{name}_total"]
                                                    for name in PAGED})
    return body, status


def _pages_asked():
    """The page of each list the query string names (`options_page`, `excluded_page`,
    `relaxations_page`): 1 when absent or not a whole number, at least 1, at most MAX_PAGE."""
    return {name: min(max(request.args.get(f"{name}_page", 1, type=int), 1), MAX_PAGE)
            for name in PAGED}


def _paged_answer(placement_request, number):
    """proposals_for for those pages, each brought back to its list's last page when past it
    (an old link after the beds changed shows the end of the list, not an empty page):
    (answer, page numbers, pages per list)."""

    def ask(number):
        paging = {}
        for name in PAGED:
            paging[f"{name}_limit"] = PAGE_SIZES[name]
            paging[f"{name}_offset"] = (number[name] - 1) * PAGE_SIZES[name]
        return proposals.proposals_for(placement_request, **paging)

    answer = ask(number)
    pages = {name: max(-(-answer[f"{name}_total"] // PAGE_SIZES[name]), 1) for name in PAGED}
    if any(number[name] > pages[name] for name in PAGED):
        number = {name: min(number[name], pages[name]) for name in PAGED}
        answer = ask(number)
    return answer, number, pages


@bp.route("/requests/<int:request_id>/holds", methods=["POST"])
@page(*CASE_MANAGER)
def hold(request_id):
    user = page_user()
    placement_request = _visible(request_id)
    shelter_id = request.form.get("shelter_id", type=int)
    room_id = request.form.get("room_id", type=int)
    if not shelter_id:
        return _render_proposals(placement_request, _("Choose an option to hold"), 422)
    try:
        holds.create_hold(user, placement_request, shelter_id, room_id)
    except (RuleViolation, Conflict) as error:
        db.session.rollback()
        return _render_proposals(_visible(request_id), in_words(error.message), error.status)
    return redirect(url_for("web_requests.request_page", request_id=request_id))


@bp.route("/holds/<int:hold_id>/cancel", methods=["POST"])
@page(*CASE_MANAGER)
def cancel(hold_id):
    user = page_user()
    held = holds.hold_for(user, hold_id, holds.HOLDERS)
    holds.cancel_hold(user, held)
    return redirect(url_for("web_requests.request_page", request_id=held.request_id))


@bp.route("/requests/<int:request_id>")
@page(*CASE_MANAGER)
def request_page(request_id):
    return _render_request(_visible(request_id))


def _render_request(placement_request, form=None, status=200):
    context = _live_context(placement_request, seen=None)
    placed = context["placement"] if context["placement"] and \
        context["placement"].status == "placed" else None
    moving = placements.transfer_for(placed) if placed else None
    can_transfer = placed is not None and moving is None
    if can_transfer and form is None:
        form = transfer_form(placement_request)
    audit.record("request.read", "placement_request", placement_request.id)
    body = render_template("requests/request.html", placement_request=placement_request,
                           transfer=moving, transfer_form=form, can_transfer=can_transfer,
                           moved_from=_moved_from(placement_request),
                           **context)
    return body, status


def _moved_from(placement_request):
    """The placement this request moves the persons from, when it is a transfer."""
    if placement_request.transferred_from_id is None:
        return None
    return db.session.get(Placement, placement_request.transferred_from_id)


@bp.route("/requests/<int:request_id>/transfer", methods=["POST"])
@page(*CASE_MANAGER)
def transfer(request_id):
    """The API's transfer of this request's placement: a new request, then its proposals."""
    user = page_user()
    placement_request = _visible(request_id)
    form = transfer_form(placement_request)
    live_one = requests.live_placement(placement_request)
    if live_one is None or live_one.status != "placed":
        form.form_errors.append(_("Only a person living in a shelter can be transferred."))
        return _render_request(placement_request, form, 409)
    if not form.validate():
        return _render_request(placement_request, form, FORM_ERRORS_STATUS)
    try:
        placed = placements.placement_for(user, live_one.id, placements.TRANSFER_ROLES)
        made = placements.transfer(user, placed, form.urgency.data,
                                   form.current_municipality.data)
    except (RuleViolation, Conflict, TooManyRequests) as error:
        db.session.rollback()
        if not place_service_error(lambda name, *_: getattr(form, name, None), error.message):
            form.form_errors.append(in_words(error.message))
        return _render_request(_visible(request_id), form, error.status)
    return redirect(url_for("web_requests.proposals_page", request_id=made.id))


@bp.route("/requests/<int:request_id>/live")
@page(*CASE_MANAGER)
def live(request_id):
    """The changing part of the request page, for htmx to swap in every few seconds."""
    placement_request = _visible(request_id)
    context = _live_context(placement_request, seen=request.args.get("seen", type=int))
    return render_template("requests/_live.html", placement_request=placement_request,
                           **context)


def _live_context(placement_request, seen):
    """Holds with time left, the placement, the timeline, and this request's notifications:
    those unread before this page was opened are marked new (and read, as the API does)."""
    user, moment = page_user(), clock.now()
    mine = _request_notifications(user, placement_request.id)
    if seen is None:
        seen = max((n.id for n in mine if n.read_at is not None), default=0)
    for notification in mine:
        if notification.read_at is None:
            notifications.mark_read(user, notification.id)
    return {
        "holds": [{"hold": h, "seconds_left": max(int((h.expires_at - moment).total_seconds()), 0)}
                  for h in placement_request.holds],
        "placement": requests.live_placement(placement_request),
        "events": requests.events_of(placement_request),
        "notifications": [{"row": n, "new": n.id > seen} for n in mine],
        "seen": seen,
        "poll_seconds": POLL_SECONDS,
    }


def _request_notifications(user, request_id):
    rows, _total = notifications.list_for(user, 200, 0)
    return [n for n in rows if (n.payload or {}).get("request_id") == request_id][
        :NOTIFICATIONS_SHOWN]

