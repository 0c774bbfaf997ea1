"""The case manager's cases: the list, a new case, a case with its reassessment, closing and a
placement request. Each action is the API's transition (cases and requests services, same audit);
another organisation's case is 404, as in the API.
"""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _

from placement.errors import Conflict, RuleViolation, TooManyRequests
from placement.extensions import db
from placement.services import audit, cases, placements, requests
from placement.web.auth import page, page_user
from placement.web.case_forms import (
    MAX_PERSONS,
    CloseForm,
    RiskForm,
    add_person_row,
    new_case_form,
    request_form,
    words,
)
from placement.web.forms import FORM_ERRORS_STATUS, render_form
from placement.web.service_errors import in_words, place_service_error
from placement.web.transaction import PageBlueprint

bp = PageBlueprint("web_cases", __name__)
PAGE_SIZE = 20


@bp.route("/cases/")
@page("case_manager")
def case_list():
    user = page_user()
    number = max(request.args.get("page", 1, type=int), 1)
    found, total = cases.list_cases(user, PAGE_SIZE, (number - 1) * PAGE_SIZE)
    audit.record("case.list", "organisation", user.organisation_id)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    return render_template("cases/list.html", cases=found, total=total, number=number,
                           pages=pages)


@bp.route("/cases/new", methods=["GET", "POST"])
@page("case_manager")
def new_case():
    form = new_case_form()
    if request.method == "GET":
        return render_form("cases/new.html", form)
    if form.add_person.data:
        # "Add a person" re-renders the form with one more row, keeping what was typed.
        if len(form.persons) < MAX_PERSONS:
            add_person_row(form)
        return render_template("cases/new.html", form=form)
    valid = form.validate()
    data = _case_data(form)
    if not valid or data is None:
        return render_form("cases/new.html", form, status=FORM_ERRORS_STATUS)
    try:
        case = cases.create_case(page_user(), data["body"])
    except (RuleViolation, Conflict, TooManyRequests) as error:
        db.session.rollback()
        _place(form, data["rows"], error.message)
        return render_form("cases/new.html", form, status=error.status)
    return redirect(url_for("web_cases.case_page", case_id=case.id, created=1))


def _case_data(form):
    """The API's body for the case, and which form row each person came from; None if a row
    is incomplete. Blank rows are skipped."""
    persons, rows = [], []
    for index, row in enumerate(form.persons):
        person = row.form
        if person.is_blank():
            continue
        if person.check_required() and not person.errors:
            persons.append(person.profile())
        rows.append(index)
    if not rows:
        form.persons[0].form.gender.errors = [*form.persons[0].form.gender.errors,
                                              _("Enter at least one person")]
    suspects = [s.form.point() for s in form.suspects]
    if form.errors or len(persons) != len(rows) or not rows:
        return None
    return {"rows": rows, "body": {
        "category": form.category.data, "risk": form.risk.data, "persons": persons,
        "suspects": [s for s in suspects if s],
        "keep_apart_from": words(form.keep_apart_from.data, str.upper),
        "referral_source": form.referral_source.data,
        "identifying_authority": form.identifying_authority.data,
    }}


def _place(form, rows, message):
    def field(name, index, sub):
        if name == "persons":
            row = form.persons[rows[index] if index is not None else rows[0]].form
            return getattr(row, sub or "role", None)
        if name == "suspects":
            return form.suspects[0].form.municipality
        return getattr(form, name, None)

    if not place_service_error(field, message):
        form.form_errors.append(in_words(message))


def _case_context(case):
    return {
        "case": case,
        "suspects": cases.suspects_of(case),
        "case_requests": requests.list_requests(page_user(), 50, 0, case_id=case.id)[0],
    }


def _render_case(case, status=200, **forms):
    forms.setdefault("risk_form", RiskForm(prefix="risk"))
    forms.setdefault("close_form", CloseForm(prefix="close"))
    forms.setdefault("request_form", request_form())
    body = render_template("cases/case.html", created="created" in request.args,
                           **_case_context(case), **forms)
    return body, status


@bp.route("/cases/<int:case_id>")
@page("case_manager")
def case_page(case_id):
    case = cases.owned_case(page_user(), case_id)
    audit.record("case.read", "case", case.id)
    return _render_case(case)


@bp.route("/cases/<int:case_id>/risk", methods=["POST"])
@page("case_manager")
def reassess(case_id):
    user = page_user()
    case = cases.owned_case(user, case_id)
    form = RiskForm(prefix="risk")
    if not form.validate():
        return _render_case(case, FORM_ERRORS_STATUS, risk_form=form)
    cases.update_case(user, case, {"risk": form.risk.data, "risk_reason": form.risk_reason.data})
    return redirect(url_for("web_cases.case_page", case_id=case.id))


@bp.route("/cases/<int:case_id>/close", methods=["POST"])
@page("case_manager")
def close(case_id):
    user = page_user()
    case = cases.owned_case(user, case_id, lock=True)
    form = CloseForm(prefix="close")
    if not form.validate():
        return _render_case(case, FORM_ERRORS_STATUS, close_form=form)
    placements.close_case(user, case, form.reason.data)
    return redirect(url_for("web_cases.case_page", case_id=case.id))


@bp.route("/cases/<int:case_id>/requests", methods=["POST"])
@page("case_manager")
def request_placement(case_id):
    user = page_user()
    case = cases.owned_case(user, case_id, lock=True)
    form = request_form()
    if not form.validate():
        return _render_case(case, FORM_ERRORS_STATUS, request_form=form)
    try:
        made = requests.create_request(user, case, form.urgency.data,
                                       form.current_municipality.data)
    except (RuleViolation, Conflict) as error:
        db.session.rollback()
        case = cases.owned_case(user, case_id)
        if not place_service_error(lambda name, *_: getattr(form, name, None), error.message):
            form.form_errors.append(in_words(error.message))
        return _render_case(case, error.status, request_form=form)
    return redirect(url_for("web_requests.proposals_page", request_id=made.id))
