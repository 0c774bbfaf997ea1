"""Pages in English, Albanian and Serbian (Latin): every message translated, the choice saved."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from placement.extensions import db
from placement.models import Municipality, User
from placement.web import HERE, TRANSLATIONS
from placement.web.i18n import LOCALES
from tests.placement.web.pages import post_form, sign_in

PACKAGE = HERE.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def _source_messages():
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        PACKAGE, METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalogue(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=locale)


@pytest.mark.parametrize("locale", [code for code in LOCALES if code != "en"])
def test_every_page_message_has_a_translation(locale):
    catalogue = _catalogue(locale)
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalogue if m.id}
    missing = sorted(_source_messages() - translated.keys())
    assert not missing, f"{locale} lacks: {missing}"
    forms = {
        key: m.string if isinstance(m.string, tuple) else (m.string,)
        for key, m in translated.items()
    }
    empty = sorted(str(key) for key, strings in forms.items() if not all(strings))
    assert not empty, f"{locale} has empty translations: {empty}"
    assert not [m.id for m in catalogue if m.fuzzy and m.id], "fuzzy entries are not shown"


@pytest.mark.parametrize("locale", [code for code in LOCALES if code != "en"])
def test_no_message_is_translated_twice(locale):
    """Two entries for one msgid (a merge of two areas' additions) make msgfmt refuse the file,
    and Babel silently keeps one of the two translations."""
    text = (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    ids = re.findall(r'^msgid "(.+)"$', text, re.M)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_the_compiled_catalogues_are_current():
    # `make` compiles them; a stale .mo would show old text.
    for locale in LOCALES:
        if locale == "en":
            continue
        folder = TRANSLATIONS / locale / "LC_MESSAGES"
        compiled = folder / "messages.mo"
        assert compiled.exists(), f"run make: {compiled} is missing"
        assert compiled.stat().st_mtime >= (folder / "messages.po").stat().st_mtime


@pytest.mark.parametrize(
    "header, heading",
    [
        ("sq-AL,sq;q=0.9,en;q=0.5", "Hyni në Streha"),
        ("sr-Latn-RS,sr;q=0.8", "Prijavite se u Strehu"),
        ("sr", "Prijavite se u Strehu"),
        ("de-DE,en;q=0.7", "Sign in to Streha"),
        ("", "Sign in to Streha"),
    ],
)
def test_before_sign_in_the_browser_language_is_used(client, header, heading):
    page = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert heading in page


def test_the_choice_is_saved_on_the_account_and_shown_on_every_page(client, network, make_user):
    user = make_user("regional_coordinator", region="peje")
    sign_in(client, user.username)
    assert "Your region: Pejë." in client.get("/coordinator/").get_data(as_text=True)
    switched = post_form(
        client, "/language", {"language": "sr_Latn", "next": "/coordinator/"}, "/coordinator/"
    )
    assert switched.headers["Location"] == "/coordinator/"
    page = client.get("/coordinator/").get_data(as_text=True)
    assert "Vaš region: Peć." in page and 'lang="sr-Latn"' in page
    assert db.session.get(User, user.user_id).language == "sr_Latn"
    # A new browser (no language cookie) signing in gets the saved language.
    client.delete_cookie("streha_session")
    client.delete_cookie("streha_language")
    sign_in(client, user.username)
    assert "Odjavite se" in client.get("/coordinator/").get_data(as_text=True)


def test_an_unknown_language_is_refused_naming_the_field(client):
    response = post_form(client, "/language", {"language": "xx"}, "/login")
    assert response.status_code == 400
    assert "language: must be one of en, sq, sr_Latn" in response.get_data(as_text=True)


def test_place_names_come_in_both_forms_for_every_kosovo_municipality(network):
    municipalities = list(db.session.scalars(sa.select(Municipality)))
    assert len(municipalities) == 38
    for municipality in municipalities:
        assert set(municipality.names) == {"sq", "sr_Latn"}, municipality.code
    names = {m.code: m.names["sr_Latn"] for m in municipalities}
    assert names["ferizaj"] == "Uroševac" and names["drenas"] == "Glogovac"
    assert names["mitrovice-e-veriut"] == "Severna Mitrovica"


def test_a_network_without_other_names_shows_its_own(app):
    from placement.web.i18n import place_name

    with app.test_request_context(headers={"Accept-Language": "sq"}):
        assert place_name(Municipality(code="x", name="Elsewhere", names=None)) == "Elsewhere"
        assert place_name(Municipality(code="y", name="Pejë", names={"sr_Latn": "Peć"})) == "Pejë"


def test_translations_folder_is_where_the_app_reads_it(app):
    assert Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]) == TRANSLATIONS

