"""The API's interactive docs, served offline: pinned Swagger UI from static/vendor, no CDN."""

from flask import render_template, url_for

from placement.web.transaction import PageBlueprint

bp = PageBlueprint("web_docs", __name__)


@bp.route("/api/v1/docs")
def api_docs():
    return render_template("api_docs.html", spec_url=url_for("api-docs.openapi_json"))
