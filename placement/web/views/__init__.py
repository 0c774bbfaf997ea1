"""Page blueprints; each area (sign-in, homes, cases, beds, the map...) has its own module."""

from placement.web.views.admin_accounts import bp as admin_accounts_bp
from placement.web.views.admin_audit import bp as admin_audit_bp
from placement.web.views.admin_shelters import bp as admin_shelters_bp
from placement.web.views.auth import bp as auth_bp
from placement.web.views.board import bp as board_bp
from placement.web.views.cases import bp as cases_bp
from placement.web.views.common import bp as common_bp
from placement.web.views.coordinator import bp as coordinator_bp
from placement.web.views.coordinator_map import bp as map_bp
from placement.web.views.coordinator_unmet import bp as unmet_bp
from placement.web.views.docs import bp as docs_bp
from placement.web.views.home import bp as home_bp
from placement.web.views.incoming import bp as incoming_bp
from placement.web.views.requests import bp as requests_bp

BLUEPRINTS = (
    common_bp, auth_bp, home_bp, docs_bp, cases_bp, requests_bp, board_bp, incoming_bp,
    coordinator_bp, map_bp, unmet_bp, admin_accounts_bp, admin_shelters_bp, admin_audit_bp,
)
