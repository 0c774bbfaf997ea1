"""HTTP resources: one folder per resource, thin MethodViews over the services."""

from placement.resources.audit.routes import blp as audit_blp
from placement.resources.auth.routes import blp as auth_blp
from placement.resources.capacity.routes import blp as capacity_blp
from placement.resources.cases.routes import blp as cases_blp
from placement.resources.geo.routes import blp as geo_blp
from placement.resources.holds.routes import blp as holds_blp
from placement.resources.notifications.routes import blp as notifications_blp
from placement.resources.occupancy.routes import blp as occupancy_blp
from placement.resources.placements.routes import blp as placements_blp
from placement.resources.policy.routes import blp as policy_blp
from placement.resources.requests.routes import blp as requests_blp
from placement.resources.runs.routes import blp as runs_blp
from placement.resources.shelters.routes import blp as shelters_blp

BLUEPRINTS = (
    auth_blp,
    geo_blp,
    shelters_blp,
    capacity_blp,
    cases_blp,
    requests_blp,
    holds_blp,
    placements_blp,
    runs_blp,
    occupancy_blp,
    notifications_blp,
    audit_blp,
    policy_blp,
)
