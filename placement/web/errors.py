"""Refusals and failures on pages: the API's answer (status, audit, rollback) as an HTML page.

Everything outside /api/ is a page. A page that needs sign-in answers a redirect to /login
instead of 401; other statuses render error.html with a heading in the user's language.
"""

from flask import make_response, render_template, request
from flask_babel import gettext as _

from placement.web.auth import to_sign_in

API_PREFIX = "/api/"
DETAILED = (400, 409, 413, 422)


def _headings():
    return {
        400: _("The form could not be used"),
        403: _("You cannot open this page"),
        404: _("Page not found"),
        405: _("Page not found"),
        409: _("Someone else changed this first"),
        413: _("What you sent is too large"),
        422: _("Check what you entered"),
        429: _("Too many attempts"),
        503: _("The service is busy"),
    }


def _explanations():
    return {
        400: _("The form may have expired. Go back, reload the page and try again."),
        403: _("Your account's role does not give access to this page."),
        404: _("There is no page at this address, or it is not one you can see."),
        405: _("There is no page at this address, or it is not one you can see."),
        409: _("Reload the page to see the current state, then try again."),
        429: _("Wait a few minutes, then try again."),
        503: _("Try again in a moment."),
    }


def page_error(status, message, errors):
    """The page response for a refusal, or None when the request is for the JSON API."""
    if request.path.startswith(API_PREFIX):
        return None
    if status == 401:
        return to_sign_in()
    heading = _headings().get(status, _("Something went wrong"))
    explanation = _explanations().get(status, _("It has been logged. Try again later."))
    # What was wrong with the input, naming the field (as the API's message does).
    detail = message if status in DETAILED else None
    body = render_template(
        "error.html", status=status, heading=heading, explanation=explanation, detail=detail
    )
    return make_response(body, status)
