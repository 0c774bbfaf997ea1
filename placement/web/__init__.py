"""The web pages: server-rendered Jinja over the same services as the API.

`init_web(app)` wires the shared layer every page stands on: the page session (a cookie holding an
opaque id for an accounts token), CSRF on every form, languages (Flask-Babel), the page error
handlers and the blueprints. Page views live in `views/`, one module per area.
"""

import os
from pathlib import Path

from flask_babel import Babel
from flask_babel import refresh as refresh_locale
from flask_wtf.csrf import CSRFProtect

from placement.web import i18n, labels
from placement.web.session import PageSessionInterface

HERE = Path(__file__).resolve().parent
TRANSLATIONS = HERE / "translations"
TIMEZONE = "Europe/Belgrade"

babel = Babel()
csrf = CSRFProtect()


def init_web(app, api_blueprints):
    app.config.setdefault("BABEL_DEFAULT_LOCALE", i18n.DEFAULT_LOCALE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    # Times are stored in UTC and shown in the network's zone (Kosovo's by default).
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", os.environ.get("STREHA_TIMEZONE", TIMEZONE))
    # The CSRF secret is derived from the session id (see session.py): valid as long as the session.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.session_interface = PageSessionInterface()
    babel.init_app(app, locale_selector=i18n.select_locale)
    # Flask-Babel caches the locale on g, which outlives a request when an app context is kept
    # pushed (tests): choose it afresh for every request.
    app.before_request(refresh_locale)
    csrf.init_app(app)
    for blueprint in api_blueprints:
        # The JSON API authenticates with bearer tokens, which a browser never sends by itself.
        csrf.exempt(blueprint)
    from placement.web.views import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    i18n.register_template_helpers(app)
    labels.register(app)
