"""The placement policy: coordinators read it and its history, the administrator changes it."""

from flask import request

from placement.auth import current_user, requires
from placement.resources.common import Blueprint, View
from placement.resources.policy.schemas import (
    PolicyChangeSchema,
    PolicyHistoryArgsSchema,
    PolicySchema,
    PolicyVersionSchema,
)
from placement.services import policy

blp = Blueprint("policy", __name__, description="The placement policy, stored with its history.")
READERS = ("regional_coordinator", "national_coordinator", "admin")


@blp.route("/policy")
class Policy(View):
    @requires(*READERS)
    @blp.response(200, PolicySchema)
    def get(self):
        """The policy in force: weights, suspect distances, hold TTL, reflection, retention."""
        view = policy.policy_view()
        return view, {"ETag": policy.etag()}

    @requires("admin")
    @blp.arguments(PolicyChangeSchema)
    @blp.response(200, PolicySchema)
    def patch(self, body):
        """Change some values (administrator; If-Match and a reason); the next solve uses them."""
        policy.check_if_match(request.headers.get("If-Match"))
        reason = body.pop("reason")
        policy.change(body, reason, actor=current_user(), source="api")
        view = policy.policy_view()
        return view, {"ETag": policy.etag()}


@blp.route("/policy/history")
class PolicyHistory(View):
    @requires(*READERS)
    @blp.arguments(PolicyHistoryArgsSchema, location="query")
    @blp.response(200, PolicyVersionSchema(many=True))
    def get(self, args):
        """Every version, newest first: who changed what, when, and why."""
        rows, total = policy.history(**args)
        views = [policy.version_view(row) for row in rows]
        return views, {"X-Total-Count": str(total)}
