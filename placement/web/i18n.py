"""Languages of the pages: English, Albanian and Serbian (Latin script), and place names.

The user's saved choice wins; before sign-in (or before they choose) a cookie set by the language
form, then the browser's Accept-Language. Serbian is always served in Latin script: a browser asking
for plain `sr` (Cyrillic in CLDR) gets `sr_Latn` rather than English.
"""

import sqlalchemy as sa
from flask import request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from placement.extensions import db
from placement.models import Municipality, Region

LOCALES = ("en", "sq", "sr_Latn")
DEFAULT_LOCALE = "en"
# Each language named in itself, as the switcher shows it.
LANGUAGE_NAMES = {"en": "English", "sq": "Shqip", "sr_Latn": "Srpski (latinica)"}
# The value of <html lang>: BCP 47.
HTML_LANG = {"en": "en", "sq": "sq", "sr_Latn": "sr-Latn"}
LANGUAGE_COOKIE = "streha_language"
ROLE_LABELS = {
    "case_manager": _l("Case manager"),
    "shelter_manager": _l("Shelter manager"),
    "regional_coordinator": _l("Regional coordinator"),
    "national_coordinator": _l("National coordinator"),
    "admin": _l("Administrator"),
}


def select_locale():
    from placement.web.auth import page_user

    user = page_user() if request else None
    if user is not None and user.language in LOCALES:
        return user.language
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LOCALES:
        return chosen
    return from_accept_language()


def from_accept_language():
    for tag, _quality in request.accept_languages:
        primary = tag.replace("_", "-").split("-")[0].lower()
        if primary == "sq":
            return "sq"
        if primary in ("sr", "sh", "bs", "hr"):
            return "sr_Latn"
        if primary == "en":
            return "en"
    return DEFAULT_LOCALE


def current_locale():
    return str(get_locale() or DEFAULT_LOCALE)


def place_name(place):
    """A region's or municipality's name in the page's language (the network's name otherwise)."""
    if place is None:
        return ""
    names = getattr(place, "names", None) or {}
    return names.get(current_locale()) or place.name


def _place_names(model):
    """{code: name in the page's language} of every region or municipality, once a request:
    a page may name a place hundreds of times (the map's stale list, its markers), and the
    language, like Flask-Babel's, is settled once a request."""
    if not hasattr(request, "streha_place_names"):
        request.streha_place_names = {}
    cache = request.streha_place_names
    if model not in cache:
        rows = db.session.execute(sa.select(model.code, model.name, model.names))
        locale = current_locale()
        cache[model] = {code: (names or {}).get(locale) or name for code, name, names in rows}
    return cache[model]


def region_name(code):
    """The name of the region `code` in the page's language (the code if there is none)."""
    return _place_names(Region).get(code) or code or ""


def municipality_name(code):
    return _place_names(Municipality).get(code) or code or ""


def role_label(role):
    return str(ROLE_LABELS.get(role, role))


def flat_errors(form):
    """(field id, message) for every error of a form, nested rows included, and the form's own
    errors (anchored at the form's first field)."""
    pairs = []

    def walk(fields):
        for field in fields:
            if field.type == "FieldList":
                for entry in field.entries:
                    walk(entry.form if entry.type == "FormField" else [entry])
            elif field.type == "FormField":
                walk(field.form)
            else:
                pairs.extend((field.id, str(message)) for message in field.errors)

    walk(form)
    first = next(iter(form), None)
    pairs.extend((first.id if first else "", message) for message in form.form_errors)
    return pairs


def register_template_helpers(app):
    from placement.web import labels

    labels.register(app)
    app.add_template_filter(place_name, "place_name")
    app.add_template_global(region_name, "region_name")
    app.add_template_global(municipality_name, "municipality_name")
    app.add_template_global(role_label, "role_label")
    from placement.web.labels import label

    app.add_template_global(label, "label")
    app.add_template_global(flat_errors, "flat_errors")

    @app.context_processor
    def _page_context():
        from placement.web.auth import page_user

        locale = current_locale()
        return {
            "current_user": page_user(),
            "languages": LANGUAGE_NAMES,
            "current_locale": locale,
            "html_lang": HTML_LANG.get(locale, locale),
        }
