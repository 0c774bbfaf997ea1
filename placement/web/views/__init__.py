"""Page blueprints; each area (sign-in, homes, later cases, beds, the map...) has its own module."""

from placement.web.views.auth import bp as auth_bp
from placement.web.views.common import bp as common_bp
from placement.web.views.coordinator import bp as coordinator_bp
from placement.web.views.coordinator_map import bp as map_bp
from placement.web.views.coordinator_unmet import bp as unmet_bp
from placement.web.views.docs import bp as docs_bp
from placement.web.views.home import bp as home_bp

BLUEPRINTS = (common_bp, auth_bp, home_bp, docs_bp, coordinator_bp, map_bp, unmet_bp)
