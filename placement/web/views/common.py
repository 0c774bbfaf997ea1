"""The shared page blueprint: it holds the templates every page blueprint renders.

Static files are the app's own (`Flask(static_folder="web/static")`): `url_for("static", ...)`.
"""

from flask import Blueprint

from placement.web import HERE

bp = Blueprint(
    "web",
    __name__,
    template_folder=str(HERE / "templates"),
)
