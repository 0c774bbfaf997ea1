"""`/` sends each role to its home; each home is a simple page later pages add to."""

from flask import redirect, render_template, url_for

from placement.services import shelters
from placement.web.auth import page, page_user
from placement.web.transaction import PageBlueprint

bp = PageBlueprint("web_home", __name__)
MY_SHELTERS_LIMIT = 500

HOMES = {
    "case_manager": "web_home.case_manager",
    "shelter_manager": "web_home.shelter_manager",
    "regional_coordinator": "web_home.coordinator",
    "national_coordinator": "web_home.coordinator",
    "admin": "web_home.admin",
}


@bp.route("/")
def root():
    user = page_user()
    if user is None:
        return redirect(url_for("web_auth.login"))
    return redirect(url_for(HOMES[user.role]))


@bp.route("/case-manager/")
@page("case_manager")
def case_manager():
    return render_template("home/case_manager.html", user=page_user())


@bp.route("/shelter-manager/")
@page("shelter_manager")
def shelter_manager():
    user = page_user()
    # A manager runs a handful of shelters: the API's largest page holds them all.
    mine, _total = shelters.list_shelters(user, MY_SHELTERS_LIMIT, 0)
    return render_template("home/shelter_manager.html", user=user, shelters=mine)


@bp.route("/coordinator/")
@page("regional_coordinator", "national_coordinator")
def coordinator():
    return render_template("home/coordinator.html", user=page_user())


@bp.route("/admin/")
@page("admin")
def admin():
    return render_template("home/admin.html", user=page_user())
