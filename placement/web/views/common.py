"""The shared page blueprint: it holds the templates every page blueprint renders.

Static files are the app's own (`Flask(static_folder="web/static")`): `url_for("static", ...)`.
"""


from placement.web import HERE
from placement.web.transaction import PageBlueprint

bp = PageBlueprint(
    "web",
    __name__,
    template_folder=str(HERE / "templates"),
)
