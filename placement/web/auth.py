"""Who is looking at a page: the session's accounts token, and the page decorator.

`page(*roles)` is the page-side twin of `placement.auth.requires`: a live session (else a redirect
to /login that comes back here), and one of `roles` (else 403). Objects outside the user's scope
answer 404 as in the API: page views call the same services, which raise NotFound.
"""

import functools

from flask import g, make_response, redirect, request, session, url_for

from placement.errors import Forbidden, Unauthorized
from placement.extensions import db
from placement.services import accounts


def page_user():
    """The signed-in user of this request, or None; touches the token (idle expiry) once."""
    # Cached on the request, not on g: g belongs to the app context, which tests keep pushed
    # across requests (see placement.auth.current_user).
    if hasattr(request, "streha_page_user"):
        return request.streha_page_user
    request.streha_page_user = None
    token = session.token
    if token is not None:
        try:
            row = accounts.authenticate(token)
        except Unauthorized:
            # Expired, revoked or disabled: the page answers as before sign-in.
            session.sign_out()
            db.session.rollback()
            return None
        db.session.commit()
        g.token_row, g.user = row, row.user
        request.streha_page_user = row.user
    return request.streha_page_user


def page(*roles):
    """Page view decorator: a signed-in user, and (when given) one of `roles`."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = page_user()
            if user is None:
                return to_sign_in()
            if roles and user.role not in roles:
                raise Forbidden("this page is for another role")
            return view(*args, **kwargs)

        return wrapper

    return decorate


def to_sign_in():
    """Send the browser to /login, coming back here after; htmx follows HX-Redirect instead of
    swapping the sign-in page into a fragment."""
    target = url_for("web_auth.login", next=_local_path())
    if request.headers.get("HX-Request"):
        response = make_response("", 204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def _local_path():
    """Where to come back to after sign-in: this path, never another site."""
    if request.method != "GET" or request.headers.get("HX-Request"):
        return None
    return request.full_path.rstrip("?")


def safe_next(target):
    """A `next` address that stays on this site (a path), else None."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or not target.isprintable() or " " in target:
        return None
    return target
