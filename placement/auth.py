"""Who is calling: bearer token resolution and role checks for the resource layer."""

import functools

from flask import g, request

from placement.errors import Forbidden, Unauthorized
from placement.services import accounts


def bearer_token():
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise Unauthorized()
    return token.strip()


def current_user():
    # Cached on the request, not on g alone: g belongs to the app context, and a request made
    # inside an already pushed one (tests, commands) shares it with every earlier request.
    if getattr(request, "streha_token_row", None) is None:
        request.streha_token_row = accounts.authenticate(bearer_token())
    g.token_row = request.streha_token_row
    g.user = g.token_row.user
    return g.user


def requires(*roles):
    """View decorator: a live token, and (when given) one of `roles`."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if roles and user.role not in roles:
                raise Forbidden(f"the role {user.role} may not do this")
            return view(*args, **kwargs)

        return wrapper

    return decorate
