"""HTTP resources: one folder per resource, thin MethodViews over the services."""

from placement.resources.audit.routes import blp as audit_blp
from placement.resources.auth.routes import blp as auth_blp
from placement.resources.capacity.routes import blp as capacity_blp
from placement.resources.geo.routes import blp as geo_blp
from placement.resources.notifications.routes import blp as notifications_blp
from placement.resources.shelters.routes import blp as shelters_blp

BLUEPRINTS = (auth_blp, geo_blp, shelters_blp, capacity_blp, notifications_blp, audit_blp)
