"""Sign-in, sign-out and the language switch: the same accounts, tokens and audit as the API."""

from flask import current_app, g, make_response, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from placement.errors import BadRequest, TooManyRequests
from placement.extensions import db
from placement.services import accounts
from placement.web.auth import page_user, safe_next
from placement.web.forms import render_form
from placement.web.i18n import LANGUAGE_COOKIE, LOCALES, current_locale
from placement.web.transaction import PageBlueprint, keep_changes

bp = PageBlueprint("web_auth", __name__)

LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"), validators=[DataRequired(_l("Enter your username")), Length(max=80)]
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password")), Length(max=200)]
    )
    next = HiddenField()


@bp.route("/login", methods=["GET", "POST"])
def login():
    if page_user() is not None and request.method == "GET":
        return redirect(url_for("web_home.root"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next"))
        return render_form("login.html", form, signed_out="signed_out" in request.args)
    if not form.validate_on_submit():
        return render_form("login.html", form)
    try:
        result = accounts.login(form.username.data, form.password.data, request.remote_addr or "-")
    except TooManyRequests as error:
        db.session.rollback()
        form.password.errors.append(_("Too many attempts: wait a few minutes, then try again."))
        response = make_response(*render_form("login.html", form, status=429))
        response.headers.update(error.headers)
        return response
    if result is None:
        keep_changes()  # the failed attempt counts towards the limit, and is audited
        form.password.errors.append(
            _("The username or password is wrong, or the account is disabled.")
        )
        return render_form("login.html", form)
    user, token, _expires_at = result
    if page_user() is not None:
        # Signing in over a live session (another account in the same browser) ends that one.
        accounts.logout(g.token_row)
    if user.language is None and request.cookies.get(LANGUAGE_COOKIE) in LOCALES:
        user.language = request.cookies[LANGUAGE_COOKIE]
    session.sign_in(token)
    return redirect(safe_next(form.next.data) or url_for("web_home.root"))


@bp.route("/logout", methods=["POST"])
def logout():
    user = page_user()
    language = current_locale()
    if user is not None:
        accounts.logout(g.token_row)
    session.sign_out()
    response = redirect(url_for("web_auth.login", signed_out=1))
    _remember_language(response, language)
    return response


@bp.route("/language", methods=["POST"])
def choose_language():
    """Switch the pages' language; saved on the account when signed in."""
    language = request.form.get("language")
    if language not in LOCALES:
        raise BadRequest(f"language: must be one of {', '.join(LOCALES)}")
    user = page_user()
    if user is not None:
        user.language = language
    response = redirect(safe_next(request.form.get("next")) or url_for("web_home.root"))
    _remember_language(response, language)
    return response


def _remember_language(response, language):
    # Also for after sign-out: the sign-in page stays in the language the person reads.
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_AGE,
        httponly=True,
        samesite="Strict",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
