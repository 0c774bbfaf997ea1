"""Cases: register, read, reassess, close. Case managers of the owning organisation only."""


from placement.auth import current_user, requires
from placement.resources.cases.schemas import (
    CaseCloseSchema,
    CaseCreateSchema,
    CaseQueryArgsSchema,
    CaseSchema,
    CaseSummarySchema,
    CaseUpdateSchema,
)
from placement.resources.common import Blueprint, View
from placement.resources.idempotency import about_case, idempotent
from placement.services import audit, cases, placements

blp = Blueprint("cases", __name__, description="Cases under pseudonymous codes.")


def case_view(case):
    """The owning organisation's view of a case, suspects and notes opened."""
    return {
        **{name: getattr(case, name) for name in (
            "id", "code", "category", "risk", "status", "persons", "keep_apart_from",
            "referral_source", "identifying_authority", "created_at", "closed_at",
            "close_reason", "assessments")},
        "suspects": cases.suspects_of(case),
        "notes": cases.notes_of(case),
    }


@blp.route("/cases")
class Cases(View):
    @requires("case_manager")
    @blp.arguments(CaseQueryArgsSchema, location="query")
    @blp.response(200, CaseSummarySchema(many=True))
    def get(self, args):
        """List your organisation's cases."""
        found, total = cases.list_cases(current_user(), **args)
        audit.record("case.list", "organisation", current_user().organisation_id)
        return found, {"X-Total-Count": str(total)}

    @requires("case_manager")
    @idempotent
    @blp.arguments(CaseCreateSchema)
    @blp.response(201, CaseSchema)
    def post(self, body):
        """Register a case; it gets a random code."""
        case = cases.create_case(current_user(), body)
        about_case(case.id)
        return case_view(case)


@blp.route("/cases/<int:case_id>")
class CaseById(View):
    @requires("case_manager")
    @blp.response(200, CaseSchema)
    def get(self, case_id):
        """Read a case of your organisation."""
        case = cases.owned_case(current_user(), case_id)
        audit.record("case.read", "case", case.id)
        return case_view(case)

    @requires("case_manager")
    @blp.arguments(CaseUpdateSchema)
    @blp.response(200, CaseSchema)
    def patch(self, body, case_id):
        """Change a case; a new risk level needs a risk_reason."""
        case = cases.update_case(current_user(), cases.owned_case(current_user(), case_id), body)
        return case_view(case)


@blp.route("/cases/<int:case_id>/close")
class CaseClose(View):
    @requires("case_manager")
    @blp.arguments(CaseCloseSchema)
    @blp.response(200, CaseSchema)
    def post(self, body, case_id):
        """Close a case: its requests end, its holds are released, suspects purged."""
        case = cases.owned_case(current_user(), case_id, lock=True)
        placements.close_case(current_user(), case, body["reason"])
        return case_view(case)
