"""The audit log, for the administrator only."""


from placement.auth import requires
from placement.resources.audit.schemas import AuditEventSchema, AuditQueryArgsSchema
from placement.resources.common import Blueprint, View
from placement.services import audit

blp = Blueprint("audit", __name__, description="The append-only, hash-chained audit log.")


@blp.route("/audit")
class AuditLog(View):
    @requires("admin")
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEventSchema(many=True))
    def get(self, args):
        """Audit rows, newest first, filtered by action, actor, outcome and time."""
        rows, total = audit.search(**args)
        return rows, {"X-Total-Count": str(total)}
